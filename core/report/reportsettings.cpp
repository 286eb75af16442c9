// The load and server settings of every variant, then the failures by kind.
#include "reportwriter.h"

#include <QJsonObject>

using ReportStyle::Language;

void ReportWriter::settings()
{
    if (run.variants.isEmpty())
        return;
    heading(L("Settings", "设置"));
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.header << L("Setting", "设置");
    for (const VariantResult &v : run.variants)
        t.header << variantTitle(v);
    const auto yesNo = [this](bool b) { return b ? L("yes", "是") : L("no", "否"); };
    const auto row = [&](const QString &label, auto text) {
        QList<ReportCell> r { { label, ReportCell::Style::Strong } };
        bool any = false;
        for (const VariantResult &v : run.variants) {
            const QString s = text(v);
            any = any || !s.isEmpty();
            r << ReportCell { s.isEmpty() ? QStringLiteral("–") : s };
        }
        if (any)
            t.rows << r;
    };
    row(L("Load model", "负载模型"), [&](const VariantResult &v) {
        if (v.isServerSideOnly())
            return notMeasured();
        return v.load.model == LoadSettings::Model::Closed
            ? L("closed: users wait for each answer", "封闭：用户等待每个响应")
            : L("open: requests arrive at a rate", "开放：请求按速率到达");
    });
    row(L("Simulated users", "模拟用户数"), [&](const VariantResult &v) {
        return v.client.isEmpty() && !v.server.isEmpty() ? QString() : count(v.load.users); // observed: none
    });
    row(L("Requests per user", "每个用户的请求数"), [&](const VariantResult &v) {
        return v.load.model == LoadSettings::Model::Closed ? count(v.load.requestsPerUser) : QString();
    });
    row(L("Think time (s)", "思考时间（秒）"), [&](const VariantResult &v) {
        return v.load.model == LoadSettings::Model::Closed ? sig(v.load.scaled(v.load.thinkSeconds))
                                                           : QString();
    });
    row(L("Arrival rate (requests/s)", "到达速率（请求/秒）"), [&](const VariantResult &v) {
        return v.load.model == LoadSettings::Model::Open ? sig(v.load.arrivalRate / v.load.timeScale)
                                                         : QString();
    });
    row(L("Naive serial client", "简单串行客户端"),
        [&](const VariantResult &v) { return yesNo(v.load.naive); });
    row(L("Streaming", "流式响应"), [&](const VariantResult &v) { return yesNo(v.load.stream); });
    // Server settings, flattened (llm.mean...), in the vocabulary's order, then anything else.
    QStringList keys;
    QList<QMap<QString, QString>> values;
    for (const VariantResult &v : run.variants) {
        QMap<QString, QString> m;
        for (auto it = v.serverConfig.begin(); it != v.serverConfig.end(); ++it) {
            if (it.key() == QLatin1String("host") || it.key() == QLatin1String("port"))
                continue;
            const auto put = [&](const QString &key, const QJsonValue &value) {
                static const QStringList counts = { QStringLiteral("workers"), QStringLiteral("pool_size"),
                                                    QStringLiteral("max_in_flight"), QStringLiteral("port") };
                m[key] = !value.isDouble() ? value.toVariant().toString()
                    : counts.contains(key) ? count(value.toDouble())
                                           : sig(value.toDouble());
                if (!keys.contains(key))
                    keys << key;
            };
            if (it.value().isObject()) {
                const QJsonObject o = it.value().toObject();
                for (auto jt = o.begin(); jt != o.end(); ++jt) {
                    if (jt.key() != QLatin1String("seed"))
                        put(it.key() + QLatin1Char('.') + jt.key(), jt.value());
                }
            } else {
                put(it.key(), it.value());
            }
        }
        values << m;
    }
    QStringList ordered;
    for (const QString &key : ReportVocabulary::settingOrder()) {
        if (keys.contains(key))
            ordered << key;
    }
    for (const QString &k : keys) {
        if (!ordered.contains(k))
            ordered << k;
    }
    for (const QString &key : ordered) {
        QList<ReportCell> r { { ReportVocabulary::settingLabel(key, lang), ReportCell::Style::Strong } };
        for (const auto &m : values)
            r << ReportCell { m.value(key, QStringLiteral("–")) };
        t.rows << r;
    }
    doc.blocks.push_back(t);
    const auto failures = [](const VariantResult &v) {
        QMap<QString, quint64> out = v.errorsByKind;
        out.remove(QStringLiteral("ok"));
        out.remove(clientErrorName(ClientError::None));
        return out;
    };
    bool errors = false;
    for (const VariantResult &v : run.variants)
        errors = errors || !failures(v).isEmpty() || !v.error.isEmpty();
    if (!errors)
        return;
    heading(L("Failures", "失败"), 3);
    for (const VariantResult &v : run.variants) {
        if (!v.error.isEmpty())
            paragraph(QStringLiteral("%1: %2").arg(variantTitle(v), v.error));
        QStringList kinds;
        const QMap<QString, quint64> f = failures(v);
        for (auto it = f.begin(); it != f.end(); ++it)
            kinds << QStringLiteral("%1 × %2").arg(count(double(it.value())), it.key());
        if (!kinds.isEmpty())
            paragraph(QStringLiteral("%1: %2").arg(variantTitle(v), kinds.join(QStringLiteral(", "))));
    }
}
