#include "historyfilecheck.h"

#include "storage/historyschema.h"

#include <QFileInfo>
#include <QSet>
#include <QStringList>
#include <sqlite3.h>

namespace HistoryFileCheck {

namespace {

// The tables HistoryStore creates (storage/historyschema.cpp), and SQLite's own.
const QSet<QString> &knownTables()
{
    static const QSet<QString> names = [] {
        const QStringList list = HistorySchema::tables();
        return QSet<QString>(list.begin(), list.end());
    }();
    return names;
}

bool inspect(sqlite3 *db, const QString &path, QString *error)
{
    sqlite3_stmt *q = nullptr;
    // Reading the schema is the first thing that touches the file's contents.
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &q, nullptr)
        != SQLITE_OK) {
        *error = QStringLiteral("%1 is not a LoopScope history database (SQLite says: %2)")
                     .arg(path, QString::fromUtf8(sqlite3_errmsg(db)));
        return false;
    }
    QStringList foreign;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const QString name = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(q, 0)));
        if (!knownTables().contains(name))
            foreign << name;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        *error = QStringLiteral("%1 is not a LoopScope history database (SQLite says: %2)")
                     .arg(path, QString::fromUtf8(sqlite3_errmsg(db)));
        return false;
    }
    if (!foreign.isEmpty()) {
        foreign.sort();
        *error = QStringLiteral("%1 is not a LoopScope history database (it has other tables: %2); "
                                "LoopScope will not add its tables to it. Choose another file with --db")
                     .arg(path, foreign.mid(0, 5).join(QStringLiteral(", ")));
        return false;
    }
    // Writable? Taking the write lock fails on a read-only file, folder or file system, while
    // changing nothing.
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        *error = QStringLiteral("the history database %1 cannot be written (%2): LoopScope stores every "
                                "exchange there. Fix its permissions or choose another file with --db")
                     .arg(path, QString::fromUtf8(sqlite3_errmsg(db)));
        return false;
    }
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return true;
}

} // namespace

bool check(const QString &path, QString *error)
{
    QString dummy;
    QString &err = error ? *error : dummy;
    const QFileInfo info(path);
    if (!info.exists())
        return true;
    if (!info.isFile()) {
        err = QStringLiteral("the history database %1 is not a file").arg(path);
        return false;
    }
    if (!info.isReadable() || !info.isWritable()) {
        err = QStringLiteral("the history database %1 is read-only: LoopScope stores every exchange there. "
                             "Fix its permissions or choose another file with --db")
                  .arg(path);
        return false;
    }
    // SQLite's own API, opened without CREATE and without changing any setting of the file.
    sqlite3 *db = nullptr;
    bool ok = false;
    if (sqlite3_open_v2(info.absoluteFilePath().toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr)
        != SQLITE_OK) {
        err = QStringLiteral("cannot open the history database %1: %2")
                  .arg(path, QString::fromUtf8(db ? sqlite3_errmsg(db) : "out of memory"));
    } else {
        sqlite3_busy_timeout(db, 5000);
        ok = inspect(db, path, &err);
    }
    sqlite3_close_v2(db);
    return ok;
}

} // namespace HistoryFileCheck
