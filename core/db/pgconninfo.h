#pragma once

#include <QString>

// What --db names: a SQLite file, or a PostgreSQL server as a libpq URI
// (postgresql://user@host:5432/db?sslmode=disable) or connection string (host=... dbname=...).
namespace PgConnInfo {

bool isPostgres(const QString &db);
// False, with libpq's own words, when libpq cannot read it.
bool check(const QString &conninfo, QString *error);
// The same without its password, for anything that is shown or written (run.json, logs).
QString redacted(const QString &conninfo);

} // namespace PgConnInfo
