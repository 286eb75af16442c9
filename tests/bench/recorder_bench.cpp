// How much tracing costs on the request path: TraceRecorder::begin/publish per call, from 1 and
// 2 threads at once (this machine has 2 cores). Prints ns per call; see docs/BENCHMARKS.md.
#include "base/traceclock.h"
#include "trace/tracerecorder.h"

#include <cstdio>
#include <thread>
#include <vector>

int main()
{
    constexpr int Calls = 2'000'000;
    // Pass 1 fills a fresh ring (every new page is faulted in on first write); pass 2 reuses it,
    // which is the steady state of a long-running server.
    TraceRecorder recorder(1 << 20);
    for (int pass = 1; pass <= 2; ++pass)
        for (int threads : { 1, 2 }) {
            std::vector<std::thread> pool;
            std::vector<double> nsPerCall(size_t(threads), 0.0);
            for (int t = 0; t < threads; ++t) {
                pool.emplace_back([&, t] {
                    RequestRecord r;
                    const qint64 start = TraceClock::nowNs();
                    for (int i = 0; i < Calls / 2; ++i) {
                        r.id = quint64(i);
                        const quint64 seq = recorder.begin(r);
                        r.status = 200;
                        recorder.publish(seq, r);
                    }
                    nsPerCall[size_t(t)] = double(TraceClock::nowNs() - start) / Calls;
                });
            }
            for (auto &p : pool)
                p.join();
            double worst = 0;
            for (double v : nsPerCall)
                worst = std::max(worst, v);
            std::printf("%s, %d thread(s): %.1f ns per recorder call (begin or publish of a %zu-byte "
                        "record), worst thread\n",
                        pass == 1 ? "fresh ring" : "steady state", threads, worst, sizeof(RequestRecord));
        }
    return 0;
}
