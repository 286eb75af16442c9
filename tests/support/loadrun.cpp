#include "loadrun.h"

#include "load/loadgenerator.h"

#include <QDebug>
#include <QSignalSpy>

QList<ClientRecord> runLoad(const LoadSettings &settings, int timeoutMs)
{
    LoadGenerator load;
    load.setSettings(settings);
    QSignalSpy finished(&load, &LoadGenerator::finished);
    QString error;
    if (!load.start(&error)) {
        qWarning() << error;
        return {};
    }
    if (!finished.wait(timeoutMs))
        qWarning() << "load did not finish";
    return load.snapshot();
}
