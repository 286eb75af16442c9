#include "databasefields.h"

#include "db/pgconninfo.h"
#include "db/pgpassword.h"
#include "pipeline/serverconfig.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>

DatabaseFields::DatabaseFields(QFormLayout *form, QObject *parent)
    : QObject(parent)
{
    m_database = new QComboBox;
    m_database->setObjectName(QStringLiteral("database"));
    m_database->addItem(tr("SQLite (embedded file)"), QStringLiteral("sqlite"));
    m_database->addItem(tr("PostgreSQL server"), QStringLiteral("postgresql"));
    m_database->setToolTip(tr("Where the conversation history is kept (from the next start). PostgreSQL: the "
                              "DB read and write steps are real round trips, with the driver of the mode"));
    form->addRow(tr("Database"), m_database);
    m_uri = new QLineEdit;
    m_uri->setObjectName(QStringLiteral("dbUri"));
    m_uri->setPlaceholderText(QStringLiteral("postgresql://user@localhost:5432/loopscope"));
    m_uri->setToolTip(tr("A libpq URI or connection string (host=... dbname=...)"));
    m_uri->setProperty("settingValue", QString());
    form->addRow(tr("PostgreSQL"), m_uri);
    auto *passwordRow = new QHBoxLayout;
    passwordRow->setContentsMargins(0, 0, 0, 0);
    m_password = new QLineEdit; // unnamed and a password field: never saved with the window
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("optional"));
    m_password->setToolTip(tr("When empty, the password comes from the URI, PGPASSWORD or ~/.pgpass, else "
                              "from the system keychain. It is never shown or saved with the settings"));
    m_store = new QToolButton;
    m_store->setText(tr("Save"));
    m_store->setToolTip(tr("Save this password in the system keychain for this user, server and database "
                           "(loopscope serve and run read it too)"));
    passwordRow->addWidget(m_password, 1);
    passwordRow->addWidget(m_store);
    form->addRow(tr("DB password"), passwordRow);
    m_pool = new QSpinBox;
    m_pool->setObjectName(QStringLiteral("dbPool"));
    m_pool->setRange(1, 1000);
    m_pool->setValue(ServerConfig().dbPoolSize);
    m_pool->setToolTip(
        tr("PostgreSQL connections in the server's pool (--db-pool; asyncpg's default is 10)"));
    form->addRow(tr("DB pool"), m_pool);

    connect(m_database, &QComboBox::currentIndexChanged, this, &DatabaseFields::changed);
    connect(m_uri, &QLineEdit::editingFinished, this, &DatabaseFields::takePasswordFromUri);
    // What the window saves for the URI: never its password, even before editing finishes.
    connect(m_uri, &QLineEdit::textChanged, this, [this](const QString &text) {
        const QString t = text.trimmed();
        m_uri->setProperty("settingValue", PgPassword::passwordOf(t).isEmpty() ? t : PgConnInfo::redacted(t));
    });
    connect(m_store, &QToolButton::clicked, this, &DatabaseFields::storePassword);
}

bool DatabaseFields::usesPostgres() const
{
    return m_database->currentData().toString() == QLatin1String("postgresql");
}

void DatabaseFields::fill(ServerConfig *c) const
{
    if (usesPostgres()) {
        c->dbPath = PgPassword::withPassword(m_uri->text().trimmed(), m_password->text());
        c->dbPoolSize = m_pool->value();
    } else if (c->usesPostgres()) {
        c->dbPath.clear(); // back to the embedded SQLite file
    }
}

void DatabaseFields::show(const ServerConfig &c)
{
    if (!c.usesPostgres())
        return;
    m_database->setCurrentIndex(m_database->findData(QStringLiteral("postgresql")));
    m_uri->setText(PgConnInfo::redacted(c.dbPath));
    m_password->setText(PgPassword::passwordOf(c.dbPath));
    m_pool->setValue(c.dbPoolSize);
}

bool DatabaseFields::checkStart(const ServerConfig &c, QString *why) const
{
    if (!c.usesPostgres() && usesPostgres() && m_uri->text().trimmed().isEmpty()) {
        *why = tr("type the PostgreSQL server's URI, or choose SQLite");
        return false;
    }
    return true;
}

void DatabaseFields::setPasswordSource(const QString &source)
{
    m_passwordSource = m_password->text().isEmpty() ? source : tr("the password field");
}

QString DatabaseFields::describe(const ServerConfig &running) const
{
    if (!running.usesPostgres())
        return tr("SQLite");
    const QString from
        = m_passwordSource.isEmpty() ? QString() : tr(", password from %1").arg(m_passwordSource);
    return tr("PostgreSQL %1 (%2 connections%3)")
        .arg(PgConnInfo::redacted(running.dbPath))
        .arg(running.dbPoolSize)
        .arg(from);
}

void DatabaseFields::setEditable(bool editable)
{
    m_database->setEnabled(editable);
    for (QWidget *w : std::initializer_list<QWidget *> { m_uri, m_password, m_store, m_pool })
        w->setEnabled(editable && usesPostgres());
}

void DatabaseFields::takePasswordFromUri()
{
    const QString uri = m_uri->text().trimmed();
    const QString password = PgPassword::passwordOf(uri);
    if (password.isEmpty())
        return;
    m_password->setText(password);
    m_uri->setText(PgConnInfo::redacted(uri));
}

void DatabaseFields::storePassword()
{
    takePasswordFromUri();
    const QString uri = m_uri->text().trimmed();
    QString error;
    if (m_password->text().isEmpty())
        error = tr("type the password first");
    else if (PgPassword::store(uri, m_password->text(), &error))
        return emit message(
            tr("Password saved in the system keychain as %1").arg(PgPassword::keychainAccount(uri)));
    emit message(tr("Password not saved: %1").arg(error));
}
