// Delays::wakeSleepersForStop: coroutines asleep in Delays::sleepFor on a loop that ends are
// resumed and run to their end (their frames freed), instead of staying suspended forever.
#include "base/delays.h"

#include <QTest>
#include <QThread>
#include <atomic>
#include <memory>

namespace {

QCoro::Task<> sleeper(qint64 ns, std::atomic<int> *resumed, std::shared_ptr<int> guard)
{
    co_await Delays::sleepFor(ns);
    ++*resumed;
    Q_UNUSED(guard); // held by the frame: freed when the coroutine ends
}

} // namespace

class TestDelays : public QObject
{
    Q_OBJECT
private slots:
    void sleepersWakeWhenTheirLoopStops()
    {
        QThread thread;
        thread.start();
        QObject onThread;
        onThread.moveToThread(&thread);
        std::atomic<int> resumed { 0 };
        auto guard = std::make_shared<int>(0);
        auto onLoop
            = [&](auto fn) { QMetaObject::invokeMethod(&onThread, fn, Qt::BlockingQueuedConnection); };
        onLoop([&] {
            for (int i = 0; i < 3; ++i)
                sleeper(3'600'000'000'000, &resumed, guard); // an hour: only the stop ends them
            sleeper(1'000'000, &resumed, guard); // one millisecond: wakes on its own
        });
        QTRY_COMPARE(resumed.load(), 1);
        QCOMPARE(guard.use_count(), 4); // three frames still asleep
        onLoop([] { Delays::wakeSleepersForStop(); });
        QCOMPARE(resumed.load(), 4);
        QCOMPARE(guard.use_count(), 1); // every frame ended and was freed
        // Later sleeps on that loop return at once.
        onLoop([&] { sleeper(3'600'000'000'000, &resumed, guard); });
        QCOMPARE(resumed.load(), 5);
        QCOMPARE(guard.use_count(), 1);
        thread.quit();
        thread.wait();
    }
};

QTEST_GUILESS_MAIN(TestDelays)
#include "tst_delays.moc"
