#include "runspanel.h"

#include <QGridLayout>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

RunsPanel::RunsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("runsList"));
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setToolTip(tr("Every run of this session. Ctrl+click a second run to compare."));
    layout->addWidget(m_list, 1);
    auto *buttons = new QGridLayout;
    m_show = new QPushButton(tr("Show"));
    m_show->setToolTip(tr("Show this run in the timelines and plots"));
    m_replay = new QPushButton(tr("Lesson replay"));
    m_replay->setToolTip(tr("Replay this run slowly with the scenario's captions"));
    m_compare = new QPushButton(tr("Compare"));
    m_compare->setToolTip(tr("Two selected runs side by side"));
    m_save = new QPushButton(tr("Save…"));
    m_export = new QPushButton(tr("Report…"));
    auto *open = new QPushButton(tr("Open…"));
    buttons->addWidget(m_show, 0, 0);
    buttons->addWidget(m_replay, 0, 1);
    buttons->addWidget(m_compare, 0, 2);
    buttons->addWidget(m_save, 1, 0);
    buttons->addWidget(m_export, 1, 1);
    buttons->addWidget(open, 1, 2);
    layout->addLayout(buttons);
    connect(m_list, &QListWidget::itemSelectionChanged, this, &RunsPanel::updateButtons);
    connect(m_list, &QListWidget::itemDoubleClicked, this,
            [this](QListWidgetItem *item) { emit showRequested(m_list->row(item)); });
    auto one = [this](void (RunsPanel::*signal)(int)) {
        return [this, signal] {
            const QList<int> rows = selectedRows();
            if (!rows.isEmpty())
                emit(this->*signal)(rows.first());
        };
    };
    connect(m_show, &QPushButton::clicked, this, one(&RunsPanel::showRequested));
    connect(m_replay, &QPushButton::clicked, this, one(&RunsPanel::replayRequested));
    connect(m_save, &QPushButton::clicked, this, one(&RunsPanel::saveRequested));
    connect(m_export, &QPushButton::clicked, this, one(&RunsPanel::exportRequested));
    connect(m_compare, &QPushButton::clicked, this, [this] {
        const QList<int> rows = selectedRows();
        if (rows.size() == 2)
            emit compareRequested(rows[0], rows[1]);
    });
    connect(open, &QPushButton::clicked, this, &RunsPanel::openRequested);
    updateButtons();
}

void RunsPanel::addRun(const SessionRun &run)
{
    m_runs.push_back(run);
    const VariantResult &v = run.variant();
    auto *item = new QListWidgetItem(tr("%1\n    %2 requests · p95 %3 ms · %4 errors")
                                         .arg(run.title)
                                         .arg(v.client.size())
                                         .arg(v.latency.p95Ms, 0, 'f', 0)
                                         .arg(v.metrics.value(QStringLiteral("errors"))));
    m_list->addItem(item);
    updateButtons();
}

QList<int> RunsPanel::selectedRows() const
{
    QList<int> rows;
    for (const QModelIndex &i : m_list->selectionModel()->selectedRows())
        rows << i.row();
    std::sort(rows.begin(), rows.end());
    return rows;
}

void RunsPanel::select(const QList<int> &rows)
{
    m_list->clearSelection();
    for (int r : rows)
        m_list->item(r)->setSelected(true);
}

void RunsPanel::updateButtons()
{
    const qsizetype n = selectedRows().size();
    for (QPushButton *b : { m_show, m_replay, m_save, m_export })
        b->setEnabled(n == 1);
    m_compare->setEnabled(n == 2);
}
