#pragma once

#include "llmbackend.h"

#include <QJsonObject>
#include <atomic>

// How long a simulated step takes: a distribution in seconds, reproducible with a seed.
struct LatencyModel
{
    enum class Kind { Fixed, Uniform, Normal, LogNormal };
    Kind kind = Kind::Fixed;
    double mean = 2.0; // fixed value; mean of normal / log-normal
    double spread = 0.0; // half-width (uniform), standard deviation (normal, log-normal)
    quint64 seed = 42;

    // Draw number `n` of this model, in seconds (>= 0). The same (seed, n) gives the same value.
    double sample(quint64 n) const;
    QJsonObject toJson() const;
    static LatencyModel fromJson(const QJsonObject &o, double defaultMean);
    static bool parseKind(const QString &text, Kind *kind);
    static QString kindName(Kind kind);
};

struct SimulatedLlmConfig
{
    LatencyModel latency; // total time of one call (default 2 s, the first seed's GLM call)
    double firstTokenSeconds = 0.1; // time to first token when streaming
    double tokensPerSecond = 0; // > 0: pace the stream at this rate after the first token
    QString replyTemplate; // {message} is replaced by the user's text; empty: built-in
    double timeScale = 1.0; // every delay is multiplied by this
};

// The default model: needs nothing, answers with a canned reply after a configurable latency,
// streaming it token by token. complete() sleeps on its thread; completeAsync() awaits timers.
class SimulatedLlm final : public LlmBackend
{
public:
    explicit SimulatedLlm(SimulatedLlmConfig config = {});

    QString name() const override { return QStringLiteral("simulated"); }
    LlmReply complete(const LlmRequest &request, const TokenSink &onToken,
                      const CancelToken &cancel) override;
    QCoro::Task<LlmReply> completeAsync(LlmRequest request, TokenSink onToken, CancelToken cancel) override;

    const SimulatedLlmConfig &config() const { return m_config; }

    // The reply split into the tokens it is streamed as, and each token's offset from the start.
    struct Plan
    {
        QStringList tokens;
        QList<qint64> offsetsNs;
        qint64 totalNs = 0;
    };
    Plan plan(const LlmRequest &request) const;
    static QStringList tokenize(const QString &text);

private:
    QString replyFor(const LlmRequest &request) const;

    const SimulatedLlmConfig m_config;
    mutable std::atomic<quint64> m_draws { 0 };
};
