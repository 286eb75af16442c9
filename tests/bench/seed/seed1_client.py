# The first seed's own test script, unchanged except BASE_URL and API_KEY (read from the
# environment). Note: its `async def send_request` calls the blocking `requests.post`, so this
# client itself sends the 5 requests one after another (see seed1_concurrent_client.py).
import asyncio
import os
import requests
import time

API_KEY = os.environ.get("LOOPSCOPE_API_KEY", "your-api-key")
BASE_URL = os.environ.get("LOOPSCOPE_URL", "http://localhost:8000")
HEADERS = {"X-API-Key": API_KEY}

async def test_concurrent_requests():
    """测试并发请求"""
    start_time = time.time()

    # 发送 5 个并发请求
    tasks = []
    for i in range(5):
        task = asyncio.create_task(send_request(i))
        tasks.append(task)

    # 等待所有请求完成
    responses = await asyncio.gather(*tasks)

    elapsed = time.time() - start_time

    print(f"总耗时: {elapsed:.2f} 秒")
    print(f"每个请求平均: {elapsed / len(responses):.2f} 秒")

async def send_request(idx):
    """发送单个请求"""
    start = time.time()
    response = requests.post(
        f"{BASE_URL}/v1/chat",
        headers=HEADERS,
        json={
            "user_id": f"user_{idx}",
            "message": "你好，请简单介绍一下你自己",
        }
    )
    elapsed = time.time() - start
    print(f"请求 {idx}: {elapsed:.2f} 秒")
    return response

if __name__ == "__main__":
    asyncio.run(test_concurrent_requests())
