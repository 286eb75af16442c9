#pragma once

#include "trace/requestrecord.h"
#include "trace/servercounters.h"

#include <QJsonObject>

// How a RequestRecord (with its spans) and a CounterSample read and write as JSON in run.json.
// Every timestamp is written relative to originNs (the run start); an unset one (0) as -1.
//
// The field names are spelled once, here: the QJsonObject pair below, RunExport's fast run.json
// writers and the Chrome-trace args all take them from these tables.
namespace RecordField {
inline constexpr char Id[] = "id";
inline constexpr char ClientTag[] = "client_tag";
inline constexpr char ArrivedNs[] = "arrived_ns";
inline constexpr char StartedNs[] = "started_ns";
inline constexpr char FirstTokenNs[] = "first_token_ns";
inline constexpr char RespondedNs[] = "responded_ns";
inline constexpr char Worker[] = "worker";
inline constexpr char Mode[] = "mode";
inline constexpr char Endpoint[] = "endpoint";
inline constexpr char Status[] = "status";
inline constexpr char LoopThread[] = "loop_thread";
inline constexpr char RequestBytes[] = "request_bytes";
inline constexpr char ResponseBytes[] = "response_bytes";
inline constexpr char Tokens[] = "tokens";
inline constexpr char User[] = "user";
inline constexpr char Spans[] = "spans";
// Who sent it (written only when known) and whether it straddled a recording's start or stop.
inline constexpr char ClientAddress[] = "client_address";
inline constexpr char ClientPort[] = "client_port";
inline constexpr char UserAgent[] = "user_agent";
inline constexpr char LoopscopeUser[] = "loopscope_user";
inline constexpr char Boundary[] = "boundary";
} // namespace RecordField

namespace SpanField {
inline constexpr char Phase[] = "phase";
inline constexpr char StartNs[] = "start_ns";
inline constexpr char EndNs[] = "end_ns";
inline constexpr char Thread[] = "thread";
inline constexpr char Index[] = "index";
inline constexpr char Count[] = "count";
} // namespace SpanField

namespace CounterField {
inline constexpr char TNs[] = "t_ns";
inline constexpr char InFlight[] = "in_flight";
inline constexpr char Waiting[] = "waiting";
inline constexpr char PoolActive[] = "pool_active";
inline constexpr char PoolMax[] = "pool_max";
inline constexpr char PoolQueued[] = "pool_queued";
inline constexpr char Connections[] = "connections";
inline constexpr char Completed[] = "completed";
inline constexpr char Failed[] = "failed";
inline constexpr char Rejected[] = "rejected";
inline constexpr char Workers[] = "workers";
inline constexpr char LoopLagMs[] = "loop_lag_ms";
inline constexpr char AcceptQueue[] = "accept_queue";
inline constexpr char CpuPct[] = "cpu_pct";
inline constexpr char PoolCpuPct[] = "pool_cpu_pct"; // only when a pool process ran
inline constexpr char LaneCpuPct[] = "lane_cpu_pct";
inline constexpr char RssBytes[] = "rss_bytes";
inline constexpr char Threads[] = "threads";
// The PostgreSQL connection pool; written only when the server had one (db_pool_size > 0).
inline constexpr char DbBusy[] = "db_busy";
inline constexpr char DbPoolSize[] = "db_pool_size";
inline constexpr char DbWaiting[] = "db_waiting";
} // namespace CounterField

QJsonObject requestRecordToJson(const RequestRecord &r, qint64 originNs);
RequestRecord requestRecordFromJson(const QJsonObject &json, qint64 originNs);
QJsonObject counterSampleToJson(const CounterSample &s, qint64 originNs);
CounterSample counterSampleFromJson(const QJsonObject &json, qint64 originNs);
