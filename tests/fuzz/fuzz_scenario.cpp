// Scenario files from elsewhere (`loopscope run --scenario FILE`, the window's scenario list).
#include "scenario/scenario.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <cstdint>
#include <cstdlib>

int fuzzScenario(const uint8_t *data, size_t size)
{
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!doc.isObject())
        return 0;
    Scenario s;
    QString error;
    if (!Scenario::fromJson(doc.object(), &s, &error)) {
        if (error.isEmpty())
            std::abort();
        return 0;
    }
    for (const ScenarioVariant &v : s.variants) {
        s.serverConfig(v).toJson();
        const LoadSettings l = s.loadSettings(v);
        if (l.users < 1 || l.users > 100'000) // the documented limit
            std::abort();
        l.expectedRequests();
    }
    return 0;
}

#ifndef LOOPSCOPE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzScenario(data, size);
}
#endif
