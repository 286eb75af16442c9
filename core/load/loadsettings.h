#pragma once

#include <QJsonObject>
#include <QString>
#include <QUrl>

// What the simulated users do. A value; every field has a JSON name (scenario files use them).
struct LoadSettings
{
    enum class Model : quint8 { Closed, Open };
    enum class Think : quint8 { Fixed, Uniform, Exponential };
    enum class Arrival : quint8 { Constant, Poisson };

    Model model = Model::Closed;
    // Closed model: `users` users, each sends `requestsPerUser` requests (or, when
    // durationSeconds > 0, keeps sending until then), waiting a think time between them.
    int users = 10;
    int requestsPerUser = 1;
    double durationSeconds = 0;
    Think think = Think::Fixed;
    double thinkSeconds = 0; // fixed value; mean (exponential); centre (uniform)
    double thinkSpreadSeconds = 0; // uniform: half-width
    double spawnRate = 0; // users started per second; 0: all at once
    // Open model: requests arrive at `arrivalRate` per second for durationSeconds, whether or
    // not earlier ones have been answered; at most maxConnections are in flight (0: no cap).
    double arrivalRate = 10;
    Arrival arrival = Arrival::Constant;
    int maxConnections = 0;
    // The seed's test script: `async def` + blocking requests.post, so the "concurrent"
    // users' requests actually go out one after another (all intended at the same time).
    bool naive = false;

    bool stream = false; // POST /v1/chat/stream and watch for the first token
    QString message = QStringLiteral("Hello, how are you?");
    QJsonObject options; // the request's "options" object (llm_calls, batch_inserts, ...)
    QString sessionPrefix; // non-empty: session_id = prefix + user (the same across requests)
    double timeoutSeconds = 600;
    double lateThresholdSeconds = 0.010; // a send this much past its intended time counts as late
    int threads = 1; // generator threads (each runs its own event loop)
    quint64 seed = 1;
    double timeScale = 1.0; // multiplies think times and durations, divides rates

    QUrl baseUrl; // http://host:port[/prefix]
    QString apiKey;

    int expectedRequests() const; // 0 when it depends on time (duration runs)
    double scaled(double seconds) const { return seconds * timeScale; }

    QJsonObject toJson() const; // without the API key
    // Overlays the keys present in `json` onto `base`.
    static LoadSettings fromJson(const QJsonObject &json);
    static LoadSettings fromJson(const QJsonObject &json, const LoadSettings &base);
    static QString modelName(Model model);
};
