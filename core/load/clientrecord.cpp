#include "clientrecord.h"

#include <QStringList>
#include <array>

namespace {

constexpr std::array<const char *, 8> kErrorNames
    = { "ok", "refused", "timeout", "reset", "http_4xx", "http_5xx", "cancelled", "other" };

qint64 rel(qint64 ns, qint64 origin)
{
    return ns ? ns - origin : -1;
}
qint64 fromRel(qint64 rel, qint64 origin)
{
    return rel < 0 ? 0 : rel + origin;
}

QString msText(qint64 ns, qint64 origin)
{
    if (!ns)
        return QString();
    return QString::number(double(ns - origin) / 1e6, 'f', 3);
}

qint64 msParse(const QString &text, qint64 origin, bool *ok)
{
    if (text.isEmpty())
        return 0;
    bool good = false;
    const double ms = text.toDouble(&good);
    if (!good)
        *ok = false;
    return origin + qint64(qRound64(ms * 1e6));
}

} // namespace

QString clientErrorName(ClientError error)
{
    return QString::fromLatin1(kErrorNames[size_t(error)]);
}

ClientError parseClientError(const QString &text)
{
    for (size_t i = 0; i < kErrorNames.size(); ++i) {
        if (text == QLatin1String(kErrorNames[i]))
            return ClientError(i);
    }
    return ClientError::Other;
}

QJsonObject ClientRecord::toJson(qint64 o) const
{
    return { { QStringLiteral("tag"), QString::number(tag) },
             { QStringLiteral("server_id"), QString::number(serverId) },
             { QStringLiteral("user"), user },
             { QStringLiteral("sequence"), sequence },
             { QStringLiteral("intended_ns"), rel(intendedNs, o) },
             { QStringLiteral("connect_ns"), rel(connectNs, o) },
             { QStringLiteral("connected_ns"), rel(connectedNs, o) },
             { QStringLiteral("sent_ns"), rel(sentNs, o) },
             { QStringLiteral("first_byte_ns"), rel(firstByteNs, o) },
             { QStringLiteral("first_token_ns"), rel(firstTokenNs, o) },
             { QStringLiteral("complete_ns"), rel(completeNs, o) },
             { QStringLiteral("status"), int(status) },
             { QStringLiteral("error"), clientErrorName(error) },
             { QStringLiteral("late"), late },
             { QStringLiteral("reused"), reused },
             { QStringLiteral("stream"), stream },
             { QStringLiteral("bytes"), qint64(bytes) } };
}

ClientRecord ClientRecord::fromJson(const QJsonObject &j, qint64 o)
{
    ClientRecord r;
    r.tag = j.value(QStringLiteral("tag")).toString().toULongLong();
    r.serverId = j.value(QStringLiteral("server_id")).toString().toULongLong();
    r.user = j.value(QStringLiteral("user")).toInt(-1);
    r.sequence = j.value(QStringLiteral("sequence")).toInt();
    const auto t = [&](const char *key) { return fromRel(j.value(QLatin1String(key)).toInteger(-1), o); };
    r.intendedNs = t("intended_ns");
    r.connectNs = t("connect_ns");
    r.connectedNs = t("connected_ns");
    r.sentNs = t("sent_ns");
    r.firstByteNs = t("first_byte_ns");
    r.firstTokenNs = t("first_token_ns");
    r.completeNs = t("complete_ns");
    r.status = quint16(j.value(QStringLiteral("status")).toInt());
    r.error = parseClientError(j.value(QStringLiteral("error")).toString());
    r.late = j.value(QStringLiteral("late")).toBool();
    r.reused = j.value(QStringLiteral("reused")).toBool();
    r.stream = j.value(QStringLiteral("stream")).toBool();
    r.bytes = quint32(j.value(QStringLiteral("bytes")).toInteger());
    return r;
}

QString ClientRecord::csvHeader()
{
    return QStringLiteral("tag,server_id,user,sequence,intended_ms,connect_ms,connected_ms,sent_ms,"
                          "first_byte_ms,first_token_ms,complete_ms,latency_ms,status,error,late,reused,"
                          "stream,bytes");
}

QString ClientRecord::toCsvRow(qint64 o) const
{
    QStringList f;
    f << QString::number(tag) << QString::number(serverId) << QString::number(user)
      << QString::number(sequence) << msText(intendedNs, o) << msText(connectNs, o) << msText(connectedNs, o)
      << msText(sentNs, o) << msText(firstByteNs, o) << msText(firstTokenNs, o) << msText(completeNs, o)
      << (completeNs ? QString::number(double(latencyNs()) / 1e6, 'f', 3) : QString())
      << QString::number(status) << clientErrorName(error) << QString::number(int(late))
      << QString::number(int(reused)) << QString::number(int(stream)) << QString::number(bytes);
    return f.join(QLatin1Char(','));
}

bool ClientRecord::fromCsvRow(const QString &row, qint64 o, ClientRecord *out)
{
    const QStringList f = row.split(QLatin1Char(','));
    if (f.size() != 18)
        return false;
    bool ok = true;
    ClientRecord r;
    r.tag = f[0].toULongLong(&ok);
    r.serverId = f[1].toULongLong();
    r.user = f[2].toInt();
    r.sequence = f[3].toInt();
    r.intendedNs = msParse(f[4], o, &ok);
    r.connectNs = msParse(f[5], o, &ok);
    r.connectedNs = msParse(f[6], o, &ok);
    r.sentNs = msParse(f[7], o, &ok);
    r.firstByteNs = msParse(f[8], o, &ok);
    r.firstTokenNs = msParse(f[9], o, &ok);
    r.completeNs = msParse(f[10], o, &ok);
    r.status = quint16(f[12].toUInt());
    r.error = parseClientError(f[13]);
    r.late = f[14] == QLatin1String("1");
    r.reused = f[15] == QLatin1String("1");
    r.stream = f[16] == QLatin1String("1");
    r.bytes = f[17].toUInt();
    *out = r;
    return ok;
}
