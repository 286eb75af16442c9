#include "loadsettings.h"

#include <QJsonValue>
#include <cmath>

namespace {

QString thinkName(LoadSettings::Think t)
{
    switch (t) {
    case LoadSettings::Think::Fixed:
        return QStringLiteral("fixed");
    case LoadSettings::Think::Uniform:
        return QStringLiteral("uniform");
    case LoadSettings::Think::Exponential:
        return QStringLiteral("exponential");
    }
    return {};
}

} // namespace

QString LoadSettings::modelName(Model model)
{
    return model == Model::Open ? QStringLiteral("open") : QStringLiteral("closed");
}

int LoadSettings::expectedRequests() const
{
    if (model == Model::Closed)
        return durationSeconds > 0 ? 0 : users * requestsPerUser;
    if (arrival == Arrival::Constant)
        return int(std::floor(durationSeconds * arrivalRate + 1e-9));
    return 0;
}

QJsonObject LoadSettings::toJson() const
{
    return { { QStringLiteral("model"), modelName(model) },
             { QStringLiteral("users"), users },
             { QStringLiteral("requests_per_user"), requestsPerUser },
             { QStringLiteral("duration_s"), durationSeconds },
             { QStringLiteral("think"), thinkName(think) },
             { QStringLiteral("think_s"), thinkSeconds },
             { QStringLiteral("think_spread_s"), thinkSpreadSeconds },
             { QStringLiteral("spawn_rate"), spawnRate },
             { QStringLiteral("arrival_rate"), arrivalRate },
             { QStringLiteral("arrival"),
               arrival == Arrival::Poisson ? QStringLiteral("poisson") : QStringLiteral("constant") },
             { QStringLiteral("max_connections"), maxConnections },
             { QStringLiteral("naive"), naive },
             { QStringLiteral("stream"), stream },
             { QStringLiteral("message"), message },
             { QStringLiteral("options"), options },
             { QStringLiteral("session_prefix"), sessionPrefix },
             { QStringLiteral("timeout_s"), timeoutSeconds },
             { QStringLiteral("late_threshold_s"), lateThresholdSeconds },
             { QStringLiteral("threads"), threads },
             { QStringLiteral("seed"), QString::number(seed) },
             { QStringLiteral("time_scale"), timeScale },
             { QStringLiteral("base_url"), baseUrl.toString() } };
}

LoadSettings LoadSettings::fromJson(const QJsonObject &json)
{
    return fromJson(json, LoadSettings());
}

LoadSettings LoadSettings::fromJson(const QJsonObject &j, const LoadSettings &base)
{
    LoadSettings s = base;
    const auto num = [&](const char *key, double *out) {
        const QJsonValue v = j.value(QLatin1String(key));
        if (v.isDouble())
            *out = v.toDouble();
    };
    const auto integer = [&](const char *key, int *out) {
        const QJsonValue v = j.value(QLatin1String(key));
        if (v.isDouble())
            *out = v.toInt();
    };
    const auto flag = [&](const char *key, bool *out) {
        const QJsonValue v = j.value(QLatin1String(key));
        if (v.isBool())
            *out = v.toBool();
    };
    if (j.contains(QStringLiteral("model")))
        s.model = j.value(QStringLiteral("model")).toString() == QLatin1String("open") ? Model::Open
                                                                                       : Model::Closed;
    integer("users", &s.users);
    integer("requests_per_user", &s.requestsPerUser);
    num("duration_s", &s.durationSeconds);
    if (j.contains(QStringLiteral("think"))) {
        const QString t = j.value(QStringLiteral("think")).toString();
        s.think = t == QLatin1String("uniform") ? Think::Uniform
            : t == QLatin1String("exponential") ? Think::Exponential
                                                : Think::Fixed;
    }
    num("think_s", &s.thinkSeconds);
    num("think_spread_s", &s.thinkSpreadSeconds);
    num("spawn_rate", &s.spawnRate);
    num("arrival_rate", &s.arrivalRate);
    if (j.contains(QStringLiteral("arrival")))
        s.arrival = j.value(QStringLiteral("arrival")).toString() == QLatin1String("poisson")
            ? Arrival::Poisson
            : Arrival::Constant;
    integer("max_connections", &s.maxConnections);
    flag("naive", &s.naive);
    flag("stream", &s.stream);
    if (j.value(QStringLiteral("message")).isString())
        s.message = j.value(QStringLiteral("message")).toString();
    if (j.value(QStringLiteral("options")).isObject()) {
        QJsonObject merged = s.options;
        const QJsonObject o = j.value(QStringLiteral("options")).toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            merged.insert(it.key(), it.value());
        s.options = merged;
    }
    if (j.value(QStringLiteral("session_prefix")).isString())
        s.sessionPrefix = j.value(QStringLiteral("session_prefix")).toString();
    num("timeout_s", &s.timeoutSeconds);
    num("late_threshold_s", &s.lateThresholdSeconds);
    integer("threads", &s.threads);
    if (j.contains(QStringLiteral("seed")))
        s.seed = j.value(QStringLiteral("seed")).toVariant().toULongLong();
    num("time_scale", &s.timeScale);
    if (j.value(QStringLiteral("base_url")).isString()
        && !j.value(QStringLiteral("base_url")).toString().isEmpty())
        s.baseUrl = QUrl(j.value(QStringLiteral("base_url")).toString());
    return s;
}
