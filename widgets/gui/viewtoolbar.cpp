#include "viewtoolbar.h"

#include "timelineview/timeviewstate.h"

#include <QComboBox>
#include <QLabel>
#include <QToolButton>

ViewToolBar::ViewToolBar(TimeViewState *state, QWidget *parent)
    : QToolBar(tr("View"), parent)
{
    setObjectName(QStringLiteral("viewToolBar"));
    setMovable(false);
    auto *span = new QComboBox;
    span->setToolTip(tr("Width of the visible time window"));
    for (int s : { 2, 5, 10, 30, 60, 120, 300, 900 })
        span->addItem(s < 60 ? tr("%1 s window").arg(s) : tr("%1 min window").arg(s / 60), s);
    span->setCurrentIndex(3);
    connect(span, &QComboBox::activated, state,
            [state, span] { state->setSpan(qint64(span->currentData().toInt()) * 1'000'000'000); });
    m_follow = new QToolButton;
    m_follow->setText(tr("Follow live"));
    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep the newest requests in view (zooming or panning pauses it)"));
    connect(m_follow, &QToolButton::toggled, state, &TimeViewState::setFollowing);
    connect(state, &TimeViewState::followingChanged, m_follow, &QToolButton::setChecked);
    auto *fit = new QToolButton;
    fit->setText(tr("Fit all"));
    fit->setToolTip(tr("Show everything recorded so far"));
    connect(fit, &QToolButton::clicked, this, &ViewToolBar::fitRequested);
    addWidget(new QLabel(tr(" Timeline: ")));
    addWidget(m_follow);
    addWidget(fit);
    addWidget(span);
    addSeparator();
    m_runLabel = new QLabel;
    m_runLabel->setObjectName(QStringLiteral("shownRun"));
    m_runLabelAction = addWidget(m_runLabel);
    auto *live = new QToolButton;
    live->setText(tr("Back to live"));
    live->setToolTip(tr("Leave the saved run and show the server again"));
    connect(live, &QToolButton::clicked, this, &ViewToolBar::liveRequested);
    m_liveAction = addWidget(live);
    setShownRun(QString());
    addSeparator();
    auto *hint = new QLabel(tr("  wheel: zoom · Ctrl+wheel: rows · drag: pan · Shift+drag: range stats · "
                               "click: details · double-click: live"));
    hint->setEnabled(false);
    addWidget(hint);
}

void ViewToolBar::setShownRun(const QString &html)
{
    const bool run = !html.isEmpty();
    if (run)
        m_runLabel->setText(html);
    m_runLabelAction->setVisible(run);
    m_liveAction->setVisible(run);
    m_follow->setEnabled(!run);
}
