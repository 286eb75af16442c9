#pragma once

#include "storage/historystore.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QThread>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

// The writer side of HistoryStore: exchanges go to one writer thread that commits everything
// waiting in one transaction (group commit) and wakes whoever waits for them: a blocked thread,
// or coroutines on an event loop (through LoopBatch). Between batches it also keeps the chat
// search's index (storage/searchindex.h): once it has been idle for a moment, or a batch after
// each commit while the unindexed messages are past the tail's limit.

// What the writer is handed: one exchange, and who waits for it (a coroutine on an event loop,
// or a blocked thread).
struct SyncWait
{
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    QString result;
};

struct HistoryStore::Pending
{
    Exchange exchange;
    std::coroutine_handle<> handle;
    QString *result = nullptr;
    std::shared_ptr<LoopBatch> loop; // with handle
    SyncWait *sync = nullptr; // or this
};

// One event loop's side of the batched save path; lives in (and is only called on) that loop's
// thread, except completed(), which the writer calls.
//  - Saves made during one pass of the loop are collected and handed to the writer together by
//    one queued call (one lock and at most one wake-up for all of them).
//  - The writer hands back all of a commit's completions for this loop at once; one queued call
//    resumes every waiting coroutine.
class HistoryStore::LoopBatch : public QObject
{
public:
    struct Done
    {
        std::coroutine_handle<> handle;
        QString *result;
        QString value;
    };

    static std::shared_ptr<LoopBatch> forThisThread()
    {
        thread_local std::shared_ptr<LoopBatch> batch(new LoopBatch, [](LoopBatch *b) {
            if (QThread::currentThread() == b->thread())
                delete b;
            else
                b->deleteLater();
        });
        return batch;
    }

    void add(Writer *writer, Pending pending)
    {
        if (m_outgoing.empty())
            QMetaObject::invokeMethod(this, &LoopBatch::flush, Qt::QueuedConnection);
        m_outgoing.emplace_back(writer, std::move(pending));
    }

    void completed(std::vector<Done> &&done)
    {
        bool post = false;
        {
            std::lock_guard lock(m_mutex);
            post = m_done.empty();
            if (post)
                m_done = std::move(done);
            else
                std::move(done.begin(), done.end(), std::back_inserter(m_done));
        }
        if (post)
            QMetaObject::invokeMethod(this, &LoopBatch::resumeAll, Qt::QueuedConnection);
    }

private:
    void flush();
    void resumeAll()
    {
        std::vector<Done> done;
        {
            std::lock_guard lock(m_mutex);
            done.swap(m_done);
        }
        for (Done &d : done) {
            *d.result = std::move(d.value);
            d.handle.resume();
        }
    }

    std::vector<std::pair<Writer *, Pending>> m_outgoing;
    std::mutex m_mutex;
    std::vector<Done> m_done;
};

// The writer thread of the group commit (see the class comment).
class HistoryStore::Writer
{
public:
    explicit Writer(HistoryStore *store)
        : m_store(store)
        , m_thread([this] { run(); })
    { }
    ~Writer()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }

    template<typename It> void submit(It first, It last)
    {
        bool wake = false;
        {
            std::lock_guard lock(m_mutex);
            for (It it = first; it != last; ++it)
                m_queue.push_back(std::move(*it));
            wake = m_idle; // a busy writer takes them with its next batch: no wake-up needed
        }
        if (wake)
            m_wake.notify_one();
    }

    // While held, the writer indexes nothing (tests: a tail that stays unindexed).
    void holdIndexing(bool held)
    {
        {
            std::lock_guard lock(m_mutex);
            m_indexingHeld = held;
        }
        m_wake.notify_one();
    }

    std::atomic<int> pageLimit { 0 };

    // How long the writer waits with nothing to write before it indexes the tail.
    static constexpr std::chrono::milliseconds QuietBeforeIndexing { 200 };

private:
    void run();
    bool indexingAllowed();
    void indexWhileIdle();
    static void complete(std::vector<Pending> &batch, std::vector<QString> &results);
    void tellCache(const std::vector<Pending> &batch, const std::vector<QString> &results);
    std::vector<QString> commit(std::vector<Pending> &batch);

    // What one transaction has written so far. A batch's exchanges by one user in one
    // conversation touch the user's and the conversation's rows once, not once per exchange:
    // the request count is added up and written before the commit, and the conversation's
    // updated_at is the batch's time (every exchange of a batch is committed at the same moment).
    struct BatchRows
    {
        qint64 now = 0;
        QHash<QString, qint64> requests; // user -> exchanges written
        QHash<QString, QString> owners; // conversation -> its owner, checked and touched
    };
    static bool writeExchange(Connection *c, const Exchange &e, BatchRows *rows, QString *error);
    static bool writeUsers(Connection *c, const BatchRows &rows);
    static void writeEach(Connection *c, std::vector<Pending> &batch, BatchRows *rows,
                          std::vector<QString> *results);

    HistoryStore *m_store;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending> m_queue;
    bool m_stopping = false;
    bool m_idle = false;
    bool m_indexingHeld = false;
    // Writer thread only: some message may be unindexed (true at the start: a previous run may
    // have left some), and how many were written since the index was last brought up to date.
    bool m_tail = true;
    int m_unindexed = 0;
    std::thread m_thread; // last: starts once everything above exists
};
