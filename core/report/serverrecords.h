#pragma once

#include "scenario/runresult.h"

#include <QByteArray>

// The files of a run that has only the server's side (a recording of outside load, observed
// services): its requests.csv lists the server's records, and each record says who sent it.
namespace ServerRecords {

// Every variant has server records and no client records.
bool only(const RunResult &run);

// requests.csv: one row per server record (the run's, then those kept but not counted, marked
// boundary), with the client's address, port, User-Agent and X-LoopScope-User.
QByteArray csv(const RunResult &run);

// Appends `,"client_address":..,"client_port":..,"user_agent":..,"loopscope_user":..` (those
// known) and `,"boundary":true` to a record's JSON text: the same fields requestRecordToJson
// writes (trace/recordjson.h).
void appendClientJson(QByteArray &json, const RequestRecord &record);

} // namespace ServerRecords
