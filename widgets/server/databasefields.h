#pragma once

#include <QObject>
#include <QString>

struct ServerConfig;
class QComboBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;
class QToolButton;

// The server panel's database rows: SQLite (the embedded file) or a PostgreSQL server (its libpq
// URI, a password, the pool size). The rows are named inputs, so the window restores them like
// every other server setting; the password field is not (it is never saved). A password typed
// into the URI moves to the password field, so the URI shown and saved never holds one.
class DatabaseFields : public QObject
{
    Q_OBJECT
public:
    // Adds the rows to `form`.
    DatabaseFields(QFormLayout *form, QObject *parent);

    bool usesPostgres() const;
    // Sets config's database from the rows (dbPath with the typed password, dbPoolSize).
    void fill(ServerConfig *config) const;
    // The rows from `config` (a PostgreSQL dbPath only; SQLite keeps the rows as they are).
    void show(const ServerConfig &config);
    // Before a start (`config` from fill()): false, with why, when PostgreSQL is chosen without a
    // URI. The keychain is read by the start itself, off the GUI thread (PgPassword::resolve).
    bool checkStart(const ServerConfig &config, QString *why) const;
    // After a start: where its password came from (PgPassword::resolve's `source`).
    void setPasswordSource(const QString &source);
    // "SQLite", or "PostgreSQL <URI without password> (pool N, password from X)".
    QString describe(const ServerConfig &running) const;
    void setEditable(bool editable);

signals:
    void changed();
    void message(const QString &text);

private:
    void takePasswordFromUri();
    void storePassword();

    QComboBox *m_database;
    QLineEdit *m_uri, *m_password;
    QSpinBox *m_pool;
    QToolButton *m_store;
    QString m_passwordSource; // of the last start
};
