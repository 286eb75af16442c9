// run.json from elsewhere (File > Open run..., `loopscope report`): truncated, corrupted or hostile.
// Reading it, summarising it and writing the CSV and trace exports must not crash, hang or ask
// for unbounded memory. Invariant: what was read is written back whole, so reading that again
// gives the same run (the same run.json, requests.csv and trace.json).
#include "fuzzcheck.h"
#include "report/runexport.h"
#include "scenario/runresult.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <cstdint>

int fuzzRunJson(const uint8_t *data, size_t size)
{
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!doc.isObject())
        return 0;
    RunResult run;
    QString error;
    if (!RunResult::fromJson(doc.object(), &run, &error))
        return 0;
    const QByteArray csv = RunExport::requestsCsv(run);
    const QByteArray trace = RunExport::traceJson(run);
    const QJsonObject written = run.toJson();

    RunResult again;
    FUZZ_CHECK(RunResult::fromJson(written, &again, &error));
    FUZZ_CHECK(again.toJson() == written);
    FUZZ_CHECK(RunExport::requestsCsv(again) == csv);
    FUZZ_CHECK(RunExport::traceJson(again) == trace);
    return 0;
}

#ifndef LOOPSCOPE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzRunJson(data, size);
}
#endif
