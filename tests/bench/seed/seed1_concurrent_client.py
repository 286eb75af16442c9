# The seed's test with the client mistake fixed: requests.post runs in threads, so the 5 requests
# really are in flight together. Times are measured from the common start, as in the seed's table.
import concurrent.futures
import os
import requests
import time

API_KEY = os.environ.get("LOOPSCOPE_API_KEY", "your-api-key")
BASE_URL = os.environ.get("LOOPSCOPE_URL", "http://localhost:8000")
HEADERS = {"X-API-Key": API_KEY}

def send_request(idx, t0):
    r = requests.post(f"{BASE_URL}/v1/chat", headers=HEADERS,
                      json={"user_id": f"user_{idx}", "message": "你好，请简单介绍一下你自己"})
    r.raise_for_status()
    return idx, time.time() - t0, r.json()["mode"], r.json()["thread"]

t0 = time.time()
with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
    results = sorted(pool.map(lambda i: send_request(i, t0), range(5)), key=lambda x: x[1])
for idx, elapsed, mode, thread in results:
    print(f"请求 {idx}: {elapsed:.2f} 秒  ({mode}, {thread})")
print(f"总耗时: {time.time() - t0:.2f} 秒")
