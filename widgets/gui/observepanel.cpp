#include "observepanel.h"

#include "base/traceclock.h"
#include "gui/observedialog.h"
#include "otlp/otlpobserver.h"
#include "plots/counterplotspanel.h"
#include "trace/tracerecorder.h"

#include <QCheckBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace {

constexpr qint64 Second = 1'000'000'000;
// Spans arrive when they end, in batches: the counters are plotted up to this long ago, when the
// requests that ran then have most likely arrived (the run kept at Stop has them all).
constexpr qint64 SettleNs = 3 * Second;
constexpr qint64 StepNs = 100'000'000; // in-flight resolution, as the server's sampler

double p95(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[qsizetype(
        std::min<double>(double(values.size() - 1), std::ceil(0.95 * double(values.size())) - 1))];
}

} // namespace

ObservePanel::ObservePanel(CounterPlotsPanel *plots, QWidget *parent)
    : QWidget(parent)
    , m_plots(plots)
{
    m_tree = new QTreeWidget;
    m_tree->setColumnCount(6);
    m_tree->setHeaderLabels({ tr("Service / instance"), tr("req/s"), tr("errors"), tr("p95 ms"),
                              tr("loop lag ms"), tr("clock offset ms") });
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->setRootIsDecorated(true);
    m_tree->setToolTip(tr("req/s: requests that ended in the last 5 s. p95: of every observed request. "
                          "Loop lag: the instance's last nodejs.eventloop.delay.max (OTLP metrics). "
                          "Clock offset: this host's clock minus its caller's, estimated from client/server "
                          "span pairs."));
    m_perInstance = new QCheckBox(tr("Counters per instance"));
    m_perInstance->setToolTip(tr("In flight, throughput and p95 per instance instead of per service "
                                 "(from now on)."));
    m_applyOffsets = new QCheckBox(tr("Apply clock offsets"));
    m_applyOffsets->setToolTip(tr("Moves every host's spans and metrics, those already received too, "
                                  "onto one clock by the estimated offsets (a host called by another is "
                                  "moved onto its caller's clock). Off: times as each host sent them."));
    connect(m_applyOffsets, &QCheckBox::toggled, this, [this](bool on) {
        if (m_observer)
            m_observer->assembler()->setApplyClockOffsets(on);
    });
    auto *note = new QLabel(tr("Counters are derived from the spans and trail by the exporters' batch "
                               "delay; event-loop lag, CPU and heap come from the services' metrics."));
    note->setWordWrap(true);
    note->setObjectName(QStringLiteral("muted"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_perInstance);
    layout->addWidget(m_applyOffsets);
    layout->addWidget(note);
    m_timer = new QTimer(this);
    m_timer->setInterval(500);
    connect(m_timer, &QTimer::timeout, this, &ObservePanel::refresh);
}

ObservePanel *ObservePanel::attach(QMainWindow *window, ObserveDialog *dialog, CounterPlotsPanel *plots)
{
    auto *panel = new ObservePanel(plots);
    auto *dock = new QDockWidget(tr("Observed services"), window);
    dock->setObjectName(QStringLiteral("observeDock"));
    dock->setWidget(panel);
    window->addDockWidget(Qt::LeftDockWidgetArea, dock);
    dock->hide();
    const auto swap = [window, dock](bool observing) {
        for (const char *name : { "serverDock", "usersDock" })
            if (auto *d = window->findChild<QDockWidget *>(QLatin1String(name)))
                d->setVisible(!observing);
        dock->setVisible(observing);
    };
    QObject::connect(dialog, &ObserveDialog::observingStarted, panel, [panel, swap](OtlpObserver *o) {
        panel->setObserver(o);
        swap(true);
    });
    QObject::connect(dialog, &ObserveDialog::observingStopped, panel, [panel, swap] {
        panel->refresh();
        panel->setObserver(nullptr);
        swap(false);
    });
    return panel;
}

void ObservePanel::setObserver(OtlpObserver *observer)
{
    m_observer = observer;
    if (!observer) {
        m_timer->stop();
        return;
    }
    m_first = m_next = observer->recorder()->count();
    m_lanes.clear();
    m_metricPlotted.clear();
    m_plottedNs = observer->startedNs();
    observer->assembler()->setApplyClockOffsets(m_applyOffsets->isChecked());
    m_correctionsSeen = observer->assembler()->correctionsVersion();
    m_tree->clear();
    m_timer->start();
}

QString ObservePanel::seriesName(quint16 lane) const
{
    const ObservedLane info = m_observer->assembler()->laneInfo(lane);
    return m_perInstance->isChecked() ? info.name() : info.service;
}

void ObservePanel::replot()
{
    m_plots->clearNamed();
    m_lanes.clear();
    m_metricPlotted.clear();
    m_next = m_first;
    m_plottedNs = m_observer->startedNs();
}

void ObservePanel::refresh()
{
    if (!m_observer)
        return;
    // Clock offsets applied or taken off moved requests and metric points already shown.
    const quint64 corrections = m_observer->assembler()->correctionsVersion();
    if (corrections != m_correctionsSeen) {
        m_correctionsSeen = corrections;
        replot();
        emit publishedTimesMoved();
    }
    const QList<ObservedLane> lanes = m_observer->assembler()->lanes();
    QHash<quint16, const ObservedLane *> byLane;
    for (const ObservedLane &l : lanes)
        byLane.insert(l.lane, &l);
    quint64 next = m_next;
    for (const RequestRecord &r : m_observer->recorder()->readFrom(m_next, &next))
        if (byLane.contains(r.loopThread) && r.finished())
            m_lanes[r.loopThread].records.append(r);
    m_next = next;

    // The table: services with their instances below.
    const qint64 now = TraceClock::nowNs();
    const QList<ClockOffset> offsets = m_observer->assembler()->offsets();
    const QList<OtlpMetricStore::Instance> metricInstances = m_observer->metrics()->instances();
    QHash<QString, QTreeWidgetItem *> services;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        services.insert(m_tree->topLevelItem(i)->text(0), m_tree->topLevelItem(i));
    QHash<QString, QList<double>> serviceDurations;
    QHash<QString, QPair<int, int>> serviceCounts; // recent, errors
    for (const ObservedLane &l : lanes) {
        QTreeWidgetItem *service = services.value(l.service);
        if (!service) {
            service = new QTreeWidgetItem(m_tree, QStringList { l.service });
            service->setExpanded(true);
            services.insert(l.service, service);
        }
        const QString name = l.name();
        QTreeWidgetItem *item = nullptr;
        for (int c = 0; c < service->childCount(); ++c)
            if (service->child(c)->data(0, Qt::UserRole).toInt() == l.lane)
                item = service->child(c);
        if (!item) {
            item = new QTreeWidgetItem(service, QStringList { name.mid(l.service.size()).trimmed() });
            item->setData(0, Qt::UserRole, l.lane);
            item->setToolTip(0, name);
        }
        QList<double> durations;
        int recent = 0, errors = 0;
        for (const RequestRecord &r : std::as_const(m_lanes[l.lane].records)) {
            durations.append(double(r.respondedNs - r.startedNs) / 1e6);
            recent += r.respondedNs > now - 5 * Second ? 1 : 0;
            errors += r.status >= 400 ? 1 : 0;
        }
        serviceDurations[l.service] += durations;
        serviceCounts[l.service].first += recent;
        serviceCounts[l.service].second += errors;
        item->setText(1, QString::number(recent / 5.0, 'f', 1));
        item->setText(2, QString::number(errors));
        item->setText(3, durations.isEmpty() ? QStringLiteral("–") : QString::number(p95(durations), 'f', 0));
        QString lag = QStringLiteral("–");
        for (int m = 0; m < metricInstances.size(); ++m) {
            const OtlpMetricStore::Instance &in = metricInstances[m];
            if (in.service == l.service && in.host == l.host && in.instance == l.instance) {
                const auto track = m_observer->metrics()->track(m, OtlpMetricStore::Track::LoopDelayMax);
                if (!track.isEmpty())
                    lag = QString::number(track.last().value, 'f', 0);
            }
        }
        item->setText(4, lag);
        QString offset = QStringLiteral("–");
        for (const ClockOffset &o : offsets)
            if (o.toHost == l.host)
                offset = QStringLiteral("%1 (vs %2)").arg(o.offsetMs, 0, 'f', 1).arg(o.fromHost);
        item->setText(5, offset);
    }
    for (auto it = services.constBegin(); it != services.constEnd(); ++it) {
        const auto counts = serviceCounts.value(it.key());
        const QList<double> durations = serviceDurations.value(it.key());
        it.value()->setText(1, QString::number(counts.first / 5.0, 'f', 1));
        it.value()->setText(2, QString::number(counts.second));
        it.value()->setText(
            3, durations.isEmpty() ? QStringLiteral("–") : QString::number(p95(durations), 'f', 0));
    }
    plotSettled(now - SettleNs);
    plotMetrics();
    m_plots->refresh();
}

// In flight (largest per 100 ms step), throughput and p95 (per second) of each series, for the
// time from the last plotted point up to `horizonNs`.
void ObservePanel::plotSettled(qint64 horizonNs)
{
    const qint64 from = m_plottedNs;
    const qint64 to = from + (horizonNs - from) / Second * Second;
    if (to <= from)
        return;
    QHash<QString, QList<const RequestRecord *>> bySeries;
    for (auto it = m_lanes.constBegin(); it != m_lanes.constEnd(); ++it)
        for (const RequestRecord &r : it->records)
            if (r.respondedNs > from && r.startedNs < to)
                bySeries[seriesName(it.key())].append(&r);
    for (auto it = bySeries.constBegin(); it != bySeries.constEnd(); ++it) {
        for (qint64 t = from; t < to; t += StepNs) {
            int inFlight = 0;
            for (const RequestRecord *r : *it)
                inFlight += r->startedNs < t + StepNs && r->respondedNs > t ? 1 : 0;
            m_plots->appendNamed(CounterPlotsPanel::Plot::Load, it.key(), t, inFlight);
        }
        for (qint64 t = from; t < to; t += Second) {
            QList<double> durations;
            for (const RequestRecord *r : *it)
                if (r->respondedNs > t && r->respondedNs <= t + Second)
                    durations.append(double(r->respondedNs - r->startedNs) / 1e6);
            m_plots->appendNamed(CounterPlotsPanel::Plot::Throughput, it.key(), t + Second,
                                 double(durations.size()));
            if (!durations.isEmpty())
                m_plots->appendNamed(CounterPlotsPanel::Plot::Latency, tr("p95 %1").arg(it.key()), t + Second,
                                     p95(durations));
        }
    }
    m_plottedNs = to;
    // Forget what can no longer be plotted.
    for (auto it = m_lanes.begin(); it != m_lanes.end(); ++it)
        it->records.removeIf([&](const RequestRecord &r) { return r.respondedNs < to - 60 * Second; });
}

// The services' own metrics, per instance, as they arrive.
void ObservePanel::plotMetrics()
{
    const QList<OtlpMetricStore::Instance> instances = m_observer->metrics()->instances();
    const struct
    {
        OtlpMetricStore::Track track;
        CounterPlotsPanel::Plot plot;
        const char *label;
    } shown[] = {
        { OtlpMetricStore::Track::LoopDelayMax, CounterPlotsPanel::Plot::Lag, QT_TR_NOOP("%1 max") },
        { OtlpMetricStore::Track::LoopDelayP99, CounterPlotsPanel::Plot::Lag, QT_TR_NOOP("%1 p99") },
        { OtlpMetricStore::Track::CpuPercent, CounterPlotsPanel::Plot::Resources, QT_TR_NOOP("%1 CPU %") },
        { OtlpMetricStore::Track::HeapUsedMb, CounterPlotsPanel::Plot::Resources, QT_TR_NOOP("%1 heap MB") },
    };
    for (int i = 0; i < instances.size(); ++i) {
        for (const auto &s : shown) {
            const QList<OtlpMetricStore::Sample> samples = m_observer->metrics()->track(i, s.track);
            const QString name = tr(s.label).arg(instances[i].name());
            int &plotted = m_metricPlotted[name];
            for (; plotted < samples.size(); ++plotted)
                m_plots->appendNamed(s.plot, name, samples[plotted].tNs, samples[plotted].value);
        }
    }
}
