#include "runcomparisonview.h"

#include "export/reportexporter.h"
#include "gui/theme.h"
#include "plots/distributionplot.h"
#include "report/reportstyle.h"
#include "timeline/requestrowmodel.h"
#include "timelineview/timelineview.h"
#include "timelineview/timeviewstate.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {
// Run colours shared with the reports' overlays.
const QColor kColorA(ReportStyle::variantColor(0));
const QColor kColorB(ReportStyle::variantColor(1));

qint64 lastEnd(const VariantResult &v)
{
    qint64 end = v.endNs;
    for (const ClientRecord &c : v.client)
        end = std::max(end, c.completeNs);
    return end;
}
} // namespace

RunComparisonView::RunComparisonView(QWidget *parent)
    : QWidget(parent)
    , m_stateA(new TimeViewState(this))
    , m_stateB(new TimeViewState(this))
{
    setWindowTitle(tr("Compare runs"));
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_export = new QPushButton(tr("Export report…"));
    m_export->setObjectName(QStringLiteral("exportComparison"));
    m_export->setToolTip(
        tr("Write report.html, report.pdf, run.json, requests.csv and trace.json for both runs"));
    bar->addStretch(1);
    bar->addWidget(m_export);
    layout->addLayout(bar);
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export report to"));
        if (dir.isEmpty())
            return;
        if (ReportExporter *e = exportReport(dir)) {
            e->showProgress(this);
            connect(e, &ReportExporter::finished, this,
                    [this, dir](bool ok, const QStringList &written, const QString &error) {
                        if (ok)
                            QMessageBox::information(
                                this, tr("Export report"),
                                tr("%1 file(s) written to %2").arg(written.size()).arg(dir));
                        else
                            QMessageBox::warning(this, tr("Export report"), error);
                    });
        }
    });
    auto *top = new QSplitter(Qt::Horizontal);
    m_table = new QTableWidget(0, 5);
    m_table->setObjectName(QStringLiteral("comparisonTable"));
    m_table->setHorizontalHeaderLabels({ tr("Figure"), tr("A"), tr("B"), tr("B − A"), tr("B / A") });
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_distributions = new DistributionPlot(tr("Latency distribution (from the intended send)"));
    top->addWidget(m_table);
    top->addWidget(m_distributions);
    top->setStretchFactor(1, 1);
    m_table->setMinimumWidth(470);
    top->setSizes({ 480, 1000 });

    m_stateA->setFollowing(false);
    m_stateB->setFollowing(false);
    m_viewA = new TimelineView(std::make_unique<RequestRowModel>(), &m_dataA, m_stateA);
    m_viewB = new TimelineView(std::make_unique<RequestRowModel>(), &m_dataB, m_stateB);
    m_titleA = new QLabel;
    m_titleB = new QLabel;
    auto *timelines = new QSplitter(Qt::Vertical);
    for (auto [title, view] : { std::pair { m_titleA, m_viewA }, std::pair { m_titleB, m_viewB } }) {
        auto *box = new QWidget;
        auto *bl = new QVBoxLayout(box);
        bl->setContentsMargins(0, 0, 0, 0);
        bl->setSpacing(0);
        bl->addWidget(title);
        bl->addWidget(view, 1);
        timelines->addWidget(box);
    }
    auto *main = new QSplitter(Qt::Vertical);
    main->addWidget(top);
    main->addWidget(timelines);
    main->setStretchFactor(1, 2);
    main->setSizes({ 300, 650 });
    layout->addWidget(main);
    connect(m_stateA, &TimeViewState::rangeChanged, this, [this] { syncFrom(m_stateA, m_stateB); });
    connect(m_stateB, &TimeViewState::rangeChanged, this, [this] { syncFrom(m_stateB, m_stateA); });
    resize(1300, 900);
}

RunComparisonView *RunComparisonView::open(const SessionRun &a, const SessionRun &b, QWidget *parent)
{
    auto *view = new RunComparisonView(parent);
    view->setWindowFlag(Qt::Window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->setRuns(a, b);
    view->show();
    return view;
}

void RunComparisonView::setRuns(const SessionRun &a, const SessionRun &b)
{
    m_a = a;
    m_b = b;
    const VariantResult &va = a.variant();
    const VariantResult &vb = b.variant();
    m_deltas = SessionRuns::compare(va, vb);
    m_table->setRowCount(int(m_deltas.size()));
    const Theme &t = Theme::current();
    for (int row = 0; row < m_deltas.size(); ++row) {
        const RunDelta &d = m_deltas[row];
        const int decimals = d.name == QLatin1String("errors") ? 0 : 1;
        auto item = [](const QString &text) {
            auto *i = new QTableWidgetItem(text);
            i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            return i;
        };
        m_table->setItem(row, 0, new QTableWidgetItem(d.label));
        m_table->setItem(row, 1, item(QString::number(d.a, 'f', decimals)));
        m_table->setItem(row, 2, item(QString::number(d.b, 'f', decimals)));
        auto *delta = item(QStringLiteral("%1%2")
                               .arg(d.delta() > 0 ? QStringLiteral("+") : QString())
                               .arg(d.delta(), 0, 'f', decimals));
        if (d.delta() != 0)
            delta->setForeground(d.better() ? t.category[2] : t.blocked);
        m_table->setItem(row, 3, delta);
        m_table->setItem(
            row, 4, item(d.a != 0 ? QStringLiteral("×%1").arg(d.ratio(), 0, 'f', 2) : QStringLiteral("–")));
    }
    m_distributions->clear();
    m_distributions->addDistribution(QStringLiteral("A: ") + a.title, kColorA, SessionRuns::latenciesMs(va));
    m_distributions->addDistribution(QStringLiteral("B: ") + b.title, kColorB, SessionRuns::latenciesMs(vb));

    SessionRuns::fill(va, &m_dataA);
    SessionRuns::fill(vb, &m_dataB);
    // A recording has only the server's side: its latency is the server's, from reading the
    // request; its client-side figures were not measured (issue #23).
    const auto serverSide = [](const VariantResult &v) {
        return v.isServerSideOnly()
            ? tr(" · latency server-side; client side not measured (recorded server-side)")
            : QString();
    };
    m_titleA->setText(QStringLiteral("<b style='color:%1'>A</b> %2%3")
                          .arg(kColorA.name(), a.title.toHtmlEscaped(), serverSide(va)));
    m_titleB->setText(QStringLiteral("<b style='color:%1'>B</b> %2%3")
                          .arg(kColorB.name(), b.title.toHtmlEscaped(), serverSide(vb)));
    // t = 0 is each run's first intended send; both show the longer run's whole length.
    const qint64 endA = lastEnd(va), endB = lastEnd(vb);
    m_viewA->setNow(endA);
    m_viewB->setNow(endB);
    const qint64 span = qint64(double(std::max(endA - va.startNs, endB - vb.startNs)) * 1.05) + 100'000'000;
    m_stateA->setOrigin(va.startNs);
    m_stateB->setOrigin(vb.startNs);
    m_syncing = true;
    m_stateB->setUserRange(vb.startNs - span / 50, span);
    m_syncing = false;
    m_stateA->setUserRange(va.startNs - span / 50, span);
    m_viewA->update();
    m_viewB->update();
}

void RunComparisonView::syncFrom(TimeViewState *from, TimeViewState *to)
{
    if (m_syncing)
        return;
    m_syncing = true;
    to->setUserRange(to->originNs() + (from->startNs() - from->originNs()), from->spanNs());
    m_syncing = false;
}

ReportExporter *RunComparisonView::exportReport(const QString &dir)
{
    if (!m_a || !m_b || (m_exporter && m_exporter->isRunning()))
        return nullptr;
    delete m_exporter;
    m_exporter = new ReportExporter(this);
    m_export->setEnabled(false);
    connect(m_exporter, &ReportExporter::finished, m_export,
            [button = m_export] { button->setEnabled(true); });
    m_exporter->start(SessionRuns::combine(*m_a, *m_b), dir);
    return m_exporter;
}
