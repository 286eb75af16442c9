#pragma once

#include <QString>

// Where LoopScope keeps an LLM API key: in the system keychain (qtkeychain: Secret Service,
// KWallet, macOS Keychain, Windows Credential Store) when one is built in and answers; otherwise it
// is only read from an environment variable whose NAME is in the settings. Never in a settings
// file, a log or a report: nothing here writes the key anywhere but the keychain.
//
// The keychain is asynchronous; readKey()/writeKey() wait for it (at most keychainTimeoutMs) with
// a private event loop, so call them at start-up or from the settings dialog, not from a request
// handler.
class SecretStore
{
public:
    enum class Location { Keychain, Environment };

    // account: the keychain entry, e.g. "llm-api-key/glm". envVarName: the fallback variable.
    // useKeychain false: the environment variable only (e.g. "serve --llm-api-key-env VAR").
    explicit SecretStore(QString account = QStringLiteral("llm-api-key"),
                         QString envVarName = QStringLiteral("LOOPSCOPE_LLM_API_KEY"),
                         bool useKeychain = true);

    static bool keychainCompiledIn();

    // The key: from the keychain when it has one, else from the environment variable.
    // Empty when neither has it; error (optional) then says why the keychain could not help.
    QString readKey(QString *error = nullptr);
    // Into the keychain. Fails (false, error set) when there is no keychain: the user then sets
    // the environment variable, describeLocation() tells them which.
    bool writeKey(const QString &key, QString *error = nullptr);
    bool removeKey(QString *error = nullptr);

    // Where the key is kept, as of the last read/write (before any: where it will be looked for).
    Location location() const { return m_location; }
    // For the UI: "system keychain" or "environment variable FOO".
    QString describeLocation() const;

    QString account() const { return m_account; }
    QString envVarName() const { return m_envVarName; }

    static constexpr int KeychainTimeoutMs = 20'000; // long enough for an unlock prompt

private:
    const QString m_account;
    const QString m_envVarName;
    bool m_useKeychain;
    Location m_location;
};
