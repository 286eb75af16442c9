#include "historyfilecheck.h"

#include <QFileInfo>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace HistoryFileCheck {

namespace {

// The tables HistoryStore creates (storage/historystore.cpp), and SQLite's own.
const QSet<QString> &knownTables()
{
    static const QSet<QString> names { QStringLiteral("users"), QStringLiteral("conversations"),
                                       QStringLiteral("messages"), QStringLiteral("audit_log"),
                                       QStringLiteral("sqlite_sequence") };
    return names;
}

bool inspect(QSqlDatabase &db, const QString &path, QString *error)
{
    if (!db.open()) {
        *error = QStringLiteral("cannot open the history database %1: %2").arg(path, db.lastError().text());
        return false;
    }
    QSqlQuery q(db);
    // Reading the schema is the first thing that touches the file's contents.
    if (!q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"))) {
        *error = QStringLiteral("%1 is not a LoopScope history database (SQLite says: %2)")
                     .arg(path, q.lastError().databaseText());
        return false;
    }
    QStringList foreign;
    while (q.next()) {
        const QString name = q.value(0).toString();
        if (!knownTables().contains(name))
            foreign << name;
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
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        *error = QStringLiteral("the history database %1 cannot be written (%2): LoopScope stores every "
                                "exchange there. Fix its permissions or choose another file with --db")
                     .arg(path, q.lastError().databaseText());
        return false;
    }
    q.exec(QStringLiteral("ROLLBACK"));
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
    const QString name = QStringLiteral("loopscope-check-") + QUuid::createUuid().toString(QUuid::Id128);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = inspect(db, path, &err);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace HistoryFileCheck
