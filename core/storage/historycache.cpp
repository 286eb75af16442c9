#include "historycache.h"

#include <algorithm>

template<typename Map> void HistoryCache::makeRoom(Map &map)
{
    // Bounded, not clever: an arbitrary entry goes (the next read of it misses).
    if (map.size() >= MaxEntries)
        map.erase(map.begin());
}

std::optional<UserContext> HistoryCache::lookup(const QString &userId, const QString &sessionId,
                                                int maxMessages)
{
    std::lock_guard lock(m_mutex);
    // An unknown user is not cached (it may become known at any commit): read.
    if (!m_knownUsers.contains(userId)) {
        ++m_misses;
        return std::nullopt;
    }
    UserContext ctx;
    ctx.userId = userId;
    ctx.sessionId = sessionId;
    ctx.knownUser = true;
    if (sessionId.isEmpty()) {
        ++m_hits;
        return ctx;
    }
    const auto it = m_sessions.constFind(sessionId);
    if (it == m_sessions.cend() || it->ticket != 0) {
        ++m_misses;
        return std::nullopt;
    }
    const Entry &e = *it;
    ctx.sessionExists = e.exists;
    ctx.sessionOwner = e.owner;
    const bool own = e.exists && e.owner == userId;
    if (own)
        ctx.settings = e.settings;
    if (maxMessages > 0 && own) {
        const qsizetype have = e.history.size();
        if (!e.complete && have < maxMessages) {
            ++m_misses;
            return std::nullopt;
        }
        ctx.history = have <= maxMessages ? e.history : e.history.mid(have - maxMessages);
    }
    ++m_hits;
    return ctx;
}

quint64 HistoryCache::begin(const QString &, const QString &sessionId)
{
    std::lock_guard lock(m_mutex);
    const quint64 ticket = m_nextTicket++;
    if (sessionId.isEmpty() || m_changing.contains(sessionId))
        return ticket;
    auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end()) {
        makeRoom(m_sessions);
        it = m_sessions.insert(sessionId, Entry {});
    }
    *it = Entry {};
    it->ticket = ticket;
    return ticket;
}

void HistoryCache::fill(quint64 ticket, const UserContext &ctx, int maxMessages)
{
    std::lock_guard lock(m_mutex);
    if (ctx.knownUser && !m_knownUsers.contains(ctx.userId)) {
        makeRoom(m_knownUsers);
        m_knownUsers.insert(ctx.userId);
    }
    if (ctx.sessionId.isEmpty())
        return;
    const auto it = m_sessions.find(ctx.sessionId);
    if (it == m_sessions.end() || it->ticket != ticket)
        return; // a commit touched it while we read: what we read may be old
    Entry &e = *it;
    e.ticket = 0;
    e.exists = ctx.sessionExists;
    e.owner = ctx.sessionOwner;
    const bool own = ctx.sessionExists && ctx.sessionOwner == ctx.userId;
    if (own)
        e.settings = ctx.settings;
    if (own && maxMessages > 0) {
        e.history = ctx.history;
        e.complete = ctx.history.size() < maxMessages; // fewer than asked for: that is all of them
    } else {
        // Not read: complete only when there is no conversation (and so no message) at all.
        e.complete = !ctx.sessionExists;
    }
    e.limit = std::clamp(maxMessages, 0, MaxMessages);
    trim(e);
    // A foreign reader learns nothing of the owner's settings: those are read again by the owner.
    if (ctx.sessionExists && !own)
        m_sessions.erase(it);
}

void HistoryCache::appended(const Exchange &x)
{
    std::lock_guard lock(m_mutex);
    if (!m_knownUsers.contains(x.userId)) {
        makeRoom(m_knownUsers);
        m_knownUsers.insert(x.userId); // the commit created it
    }
    const auto it = m_sessions.find(x.sessionId);
    if (it == m_sessions.end())
        return;
    Entry &e = *it;
    // (Text that is not valid UTF-16 is stored with replacement characters: read it back.)
    if (e.ticket != 0 || (e.exists && e.owner != x.userId) || !x.userMessage.isValidUtf16()
        || !x.assistantMessage.isValidUtf16()) {
        m_sessions.erase(it); // a reader's snapshot may predate this commit
        return;
    }
    if (!e.exists) {
        // The commit started the conversation: it has no other message.
        e.exists = true;
        e.owner = x.userId;
        e.settings = {};
        e.history.clear();
        e.complete = true;
    }
    e.history.append({ QStringLiteral("user"), x.userMessage });
    e.history.append({ QStringLiteral("assistant"), x.assistantMessage });
    trim(e);
}

void HistoryCache::trim(Entry &e)
{
    if (e.history.size() > e.limit) {
        e.history.remove(0, e.history.size() - e.limit);
        e.complete = false;
    }
}

void HistoryCache::committing(const QString &sessionId)
{
    std::lock_guard lock(m_mutex);
    ++m_changing[sessionId];
}

void HistoryCache::committed(const QString &sessionId)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_changing.find(sessionId);
    if (it != m_changing.end() && --*it <= 0)
        m_changing.erase(it);
}

void HistoryCache::drop(const QString &sessionId)
{
    std::lock_guard lock(m_mutex);
    m_sessions.remove(sessionId);
}

HistoryCache::Change::Change(HistoryCache *cache, const QString &sessionId)
    : m_cache(cache)
    , m_sessionId(sessionId)
{
    std::lock_guard lock(m_cache->m_mutex);
    ++m_cache->m_changing[m_sessionId];
    m_cache->m_sessions.remove(m_sessionId);
}

HistoryCache::Change::~Change()
{
    std::lock_guard lock(m_cache->m_mutex);
    if (--m_cache->m_changing[m_sessionId] <= 0)
        m_cache->m_changing.remove(m_sessionId);
    m_cache->m_sessions.remove(m_sessionId);
}

quint64 HistoryCache::hits() const
{
    std::lock_guard lock(m_mutex);
    return m_hits;
}

quint64 HistoryCache::misses() const
{
    std::lock_guard lock(m_mutex);
    return m_misses;
}
