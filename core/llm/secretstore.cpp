#include "secretstore.h"

#ifdef LOOPSCOPE_HAVE_KEYCHAIN
#include <QEventLoop>
#include <QTimer>
#include <qt6keychain/keychain.h>
#endif

namespace {

const QString KeychainService = QStringLiteral("LoopScope");

#ifdef LOOPSCOPE_HAVE_KEYCHAIN
// Runs a keychain job to its end. Returns false when it did not finish in time.
bool runJob(QKeychain::Job &job)
{
    // Never QSettings in plain text: better no key than a key in a file.
    job.setInsecureFallback(false);
    job.setAutoDelete(false);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(SecretStore::KeychainTimeoutMs, &loop, &QEventLoop::quit);
    job.start();
    if (!finished)
        loop.exec();
    return finished;
}

// True when the error means "there is no usable keychain here" rather than "no such entry".
bool keychainMissing(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented
        || error == QKeychain::OtherError;
}
#endif

} // namespace

SecretStore::SecretStore(QString account, QString envVarName, bool useKeychain)
    : m_account(std::move(account))
    , m_envVarName(std::move(envVarName))
    , m_useKeychain(useKeychain && keychainCompiledIn())
    , m_location(m_useKeychain ? Location::Keychain : Location::Environment)
{ }

bool SecretStore::keychainCompiledIn()
{
#ifdef LOOPSCOPE_HAVE_KEYCHAIN
    return true;
#else
    return false;
#endif
}

QString SecretStore::readKey(QString *error)
{
#ifdef LOOPSCOPE_HAVE_KEYCHAIN
    if (m_useKeychain) {
        QKeychain::ReadPasswordJob job(KeychainService);
        job.setKey(m_account);
        if (!runJob(job)) {
            if (error)
                *error = QStringLiteral("the system keychain did not answer");
        } else if (job.error() == QKeychain::NoError && !job.textData().isEmpty()) {
            m_location = Location::Keychain;
            return job.textData();
        } else if (job.error() != QKeychain::EntryNotFound && job.error() != QKeychain::NoError) {
            if (error)
                *error = QStringLiteral("system keychain: %1").arg(job.errorString());
            if (keychainMissing(job.error()))
                m_useKeychain = false; // do not ask again; point the user at the variable instead
        }
    }
#endif
    const QString key
        = m_envVarName.isEmpty() ? QString() : qEnvironmentVariable(m_envVarName.toLocal8Bit().constData());
    if (!key.isEmpty() || !m_useKeychain)
        m_location = Location::Environment;
    return key;
}

bool SecretStore::writeKey(const QString &key, QString *error)
{
#ifdef LOOPSCOPE_HAVE_KEYCHAIN
    if (m_useKeychain) {
        QKeychain::WritePasswordJob job(KeychainService);
        job.setKey(m_account);
        job.setTextData(key);
        if (!runJob(job)) {
            if (error)
                *error = QStringLiteral("the system keychain did not answer");
            return false;
        }
        if (job.error() == QKeychain::NoError) {
            m_location = Location::Keychain;
            return true;
        }
        if (error)
            *error = QStringLiteral("system keychain: %1").arg(job.errorString());
        if (keychainMissing(job.error())) {
            m_useKeychain = false;
            m_location = Location::Environment;
        }
        return false;
    }
#endif
    Q_UNUSED(key);
    if (error)
        *error = QStringLiteral("no system keychain: set the key in the environment variable %1")
                     .arg(m_envVarName);
    return false;
}

bool SecretStore::removeKey(QString *error)
{
#ifdef LOOPSCOPE_HAVE_KEYCHAIN
    if (m_useKeychain) {
        QKeychain::DeletePasswordJob job(KeychainService);
        job.setKey(m_account);
        if (!runJob(job)) {
            if (error)
                *error = QStringLiteral("the system keychain did not answer");
            return false;
        }
        if (job.error() == QKeychain::NoError || job.error() == QKeychain::EntryNotFound)
            return true;
        if (error)
            *error = QStringLiteral("system keychain: %1").arg(job.errorString());
        return false;
    }
#endif
    if (error)
        *error = QStringLiteral("the key is read from the environment variable %1; unset it there")
                     .arg(m_envVarName);
    return false;
}

QString SecretStore::describeLocation() const
{
    if (m_location == Location::Keychain)
        return QStringLiteral("system keychain");
    return QStringLiteral("environment variable %1").arg(m_envVarName);
}
