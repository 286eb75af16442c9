#include "simulatedllm.h"

#include "base/delays.h"
#include "base/traceclock.h"

#include <QLocale>
#include <cmath>
#include <random>

double LatencyModel::sample(quint64 n) const
{
    // A fresh engine per draw, seeded by (seed, n): reproducible and free of shared state.
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + n);
    double v = mean;
    switch (kind) {
    case Kind::Fixed:
        break;
    case Kind::Uniform:
        v = std::uniform_real_distribution<double>(mean - spread, mean + spread)(rng);
        break;
    case Kind::Normal:
        v = spread > 0 ? std::normal_distribution<double>(mean, spread)(rng) : mean;
        break;
    case Kind::LogNormal: {
        if (spread <= 0 || mean <= 0)
            break;
        // Parameters chosen so the distribution's mean and standard deviation are the given ones.
        const double sigma2 = std::log(1.0 + (spread * spread) / (mean * mean));
        const double mu = std::log(mean) - sigma2 / 2;
        v = std::lognormal_distribution<double>(mu, std::sqrt(sigma2))(rng);
        break;
    }
    }
    return std::max(0.0, v);
}

QString LatencyModel::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Fixed:
        return QStringLiteral("fixed");
    case Kind::Uniform:
        return QStringLiteral("uniform");
    case Kind::Normal:
        return QStringLiteral("normal");
    case Kind::LogNormal:
        return QStringLiteral("lognormal");
    }
    return {};
}

bool LatencyModel::parseKind(const QString &text, Kind *kind)
{
    for (Kind k : { Kind::Fixed, Kind::Uniform, Kind::Normal, Kind::LogNormal }) {
        if (text.compare(kindName(k), Qt::CaseInsensitive) == 0) {
            *kind = k;
            return true;
        }
    }
    return false;
}

QJsonObject LatencyModel::toJson() const
{
    return { { QStringLiteral("distribution"), kindName(kind) },
             { QStringLiteral("mean"), mean },
             { QStringLiteral("spread"), spread },
             { QStringLiteral("seed"), double(seed) } };
}

LatencyModel LatencyModel::fromJson(const QJsonObject &o, double defaultMean)
{
    LatencyModel m;
    m.mean = o.value(QStringLiteral("mean")).toDouble(defaultMean);
    m.spread = o.value(QStringLiteral("spread")).toDouble(0);
    m.seed = quint64(o.value(QStringLiteral("seed")).toDouble(42));
    parseKind(o.value(QStringLiteral("distribution")).toString(QStringLiteral("fixed")), &m.kind);
    return m;
}

SimulatedLlm::SimulatedLlm(SimulatedLlmConfig config)
    : m_config(std::move(config))
{ }

namespace {

bool isCjk(char32_t c)
{
    const QChar::Script script = QChar::script(c);
    return script == QChar::Script_Han || script == QChar::Script_Hiragana
        || script == QChar::Script_Katakana;
}

char32_t codePointAt(const QString &text, qsizetype i, qsizetype *length)
{
    const QChar c = text.at(i);
    if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
        *length = 2;
        return QChar::surrogateToUcs4(c, text.at(i + 1));
    }
    *length = 1;
    return c.unicode();
}

} // namespace

QStringList SimulatedLlm::tokenize(const QString &text)
{
    // Latin words keep their leading space; CJK text goes out two characters at a time,
    // roughly how real tokenizers split Chinese. A hand-written scan (it was a regular
    // expression, which showed up in the server's profile under load).
    QStringList tokens;
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        const qsizetype start = i;
        qsizetype len = 1;
        while (i < n && QChar::isSpace(codePointAt(text, i, &len)))
            i += len;
        if (i < n && isCjk(codePointAt(text, i, &len))) {
            i += len; // one or two CJK characters
            if (i < n && isCjk(codePointAt(text, i, &len)))
                i += len;
        } else {
            while (i < n) {
                const char32_t c = codePointAt(text, i, &len);
                if (QChar::isSpace(c) || isCjk(c))
                    break;
                i += len;
            }
        }
        tokens.append(text.mid(start, i - start));
    }
    return tokens;
}

QString SimulatedLlm::replyFor(const LlmRequest &request) const
{
    QString message;
    for (auto it = request.messages.crbegin(); it != request.messages.crend(); ++it) {
        if (it->role == QLatin1String("user")) {
            message = it->content;
            break;
        }
    }
    if (message.size() > 200)
        message = message.left(200) + QStringLiteral("…");
    QString tpl = m_config.replyTemplate;
    if (tpl.isEmpty()) {
        // In the language the program runs in (the window's, set by QLocale::setDefault).
        tpl = QLocale().language() == QLocale::Chinese
            ? QStringLiteral(
                "你好！我是 LoopScope 的模拟大模型。你刚才说：「{message}」。这个回复是模拟的："
                "你看到的每个词元都由计时器延后发出，好让你看清服务器的分发模式如何分配它的时间。")
            : QStringLiteral("Hello! I am LoopScope's simulated model. You said: \"{message}\". "
                             "This reply is simulated: every token you see was held back by a timer "
                             "so that you can watch how the server's dispatch mode shares its time.");
    }
    tpl.replace(QStringLiteral("{message}"), message);
    return tpl;
}

SimulatedLlm::Plan SimulatedLlm::plan(const LlmRequest &request) const
{
    Plan p;
    p.tokens = tokenize(replyFor(request));
    if (request.maxTokens > 0 && p.tokens.size() > request.maxTokens)
        p.tokens.resize(request.maxTokens); // a conversation's max_tokens cuts the reply, as a model's would
    const double scale = m_config.timeScale;
    const quint64 draw = m_draws.fetch_add(1, std::memory_order_relaxed);
    qint64 total = qint64(m_config.latency.sample(draw) * scale * 1e9);
    qint64 first = std::min(total, qint64(m_config.firstTokenSeconds * scale * 1e9));
    const int n = int(p.tokens.size());
    if (m_config.tokensPerSecond > 0 && n > 1)
        total = first + qint64(double(n - 1) / m_config.tokensPerSecond * scale * 1e9);
    p.totalNs = total;
    p.offsetsNs.reserve(n);
    for (int i = 0; i < n; ++i) {
        const qint64 offset = n > 1 ? first + (total - first) * i / (n - 1) : total;
        p.offsetsNs.append(offset);
    }
    return p;
}

LlmReply SimulatedLlm::complete(const LlmRequest &request, const TokenSink &onToken,
                                const CancelToken &cancel)
{
    const qint64 start = TraceClock::nowNs();
    const Plan p = plan(request);
    LlmReply reply;
    if (!request.stream || !onToken) {
        // The seeds' synchronous SDK: one call that holds the thread for the whole latency.
        // Slept in slices only so that Stop can interrupt it.
        const qint64 deadline = start + p.totalNs;
        while (TraceClock::nowNs() < deadline) {
            if (cancel.isCancelled()) {
                reply.error = LlmReply::Error::Cancelled;
                return reply;
            }
            Delays::blockUntil(std::min(deadline, TraceClock::nowNs() + 50'000'000));
        }
        reply.text = p.tokens.join(QString());
        reply.tokens = int(p.tokens.size());
        reply.firstTokenNs = deadline;
        reply.completionTokens = reply.tokens;
        return reply;
    }
    for (int i = 0; i < p.tokens.size(); ++i) {
        Delays::blockUntil(start + p.offsetsNs[i]);
        if (cancel.isCancelled()) {
            reply.error = LlmReply::Error::Cancelled;
            return reply;
        }
        if (i == 0)
            reply.firstTokenNs = TraceClock::nowNs();
        reply.text += p.tokens[i];
        onToken(p.tokens[i]);
    }
    reply.tokens = int(p.tokens.size());
    reply.completionTokens = reply.tokens;
    return reply;
}

QCoro::Task<LlmReply> SimulatedLlm::completeAsync(LlmRequest request, TokenSink onToken, CancelToken cancel)
{
    const qint64 start = TraceClock::nowNs();
    const Plan p = plan(request);
    LlmReply reply;
    if (!request.stream || !onToken) {
        co_await Delays::sleepUntil(start + p.totalNs);
        if (cancel.isCancelled()) {
            reply.error = LlmReply::Error::Cancelled;
            co_return reply;
        }
        reply.text = p.tokens.join(QString());
        reply.tokens = int(p.tokens.size());
        reply.completionTokens = reply.tokens;
        reply.firstTokenNs = TraceClock::nowNs();
        reply.readyNs = start + p.totalNs;
        co_return reply;
    }
    for (int i = 0; i < p.tokens.size(); ++i) {
        co_await Delays::sleepUntil(start + p.offsetsNs[i]);
        if (cancel.isCancelled()) {
            reply.error = LlmReply::Error::Cancelled;
            co_return reply;
        }
        if (i == 0)
            reply.firstTokenNs = TraceClock::nowNs();
        reply.text += p.tokens[i];
        onToken(p.tokens[i]);
    }
    reply.tokens = int(p.tokens.size());
    reply.completionTokens = reply.tokens;
    reply.readyNs = p.offsetsNs.isEmpty() ? start : start + p.offsetsNs.last(); // the last token's due time
    co_return reply;
}
