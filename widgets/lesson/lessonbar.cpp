#include "lessonbar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

LessonBar::LessonBar(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("lessonBar"));
    setAutoFillBackground(true);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 4, 6, 4);
    outer->setSpacing(2);
    auto *row = new QHBoxLayout;
    m_play = new QToolButton;
    m_play->setObjectName(QStringLiteral("lessonPlay"));
    m_play->setCheckable(true);
    m_play->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    connect(m_play, &QToolButton::toggled, this, &LessonBar::playToggled);
    m_speed = new QComboBox;
    m_speed->setToolTip(tr("Replay speed"));
    for (double s : { 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0 })
        m_speed->addItem(QStringLiteral("%1×").arg(s), s);
    m_speed->setCurrentIndex(2);
    connect(m_speed, &QComboBox::activated, this,
            [this] { emit speedChanged(m_speed->currentData().toDouble()); });
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setRange(0, 1000);
    m_slider->setToolTip(tr("Seek"));
    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (!m_seeking)
            emit seekRequested(qint64(double(m_durationNs) * v / 1000.0));
    });
    m_time = new QLabel;
    m_time->setMinimumWidth(110);
    m_large = new QCheckBox(tr("Large fonts"));
    connect(m_large, &QCheckBox::toggled, this, &LessonBar::largeFontsToggled);
    auto *exit = new QToolButton;
    exit->setText(tr("Exit lesson"));
    connect(exit, &QToolButton::clicked, this, &LessonBar::exitRequested);
    m_step = new QLabel;
    row->addWidget(new QLabel(tr("<b>Lesson</b>")));
    row->addWidget(m_play);
    row->addWidget(m_speed);
    row->addWidget(m_slider, 1);
    row->addWidget(m_time);
    row->addWidget(m_step);
    row->addWidget(m_large);
    row->addWidget(exit);
    outer->addLayout(row);
    m_captionLabel = new QLabel;
    m_captionLabel->setObjectName(QStringLiteral("lessonCaption"));
    m_captionLabel->setWordWrap(true);
    m_captionLabel->setMinimumHeight(48);
    m_captionLabel->setStyleSheet(QStringLiteral(
        "QLabel { background: palette(highlight); color: palette(highlighted-text); padding: 6px 10px;"
        " border-radius: 4px; }"));
    setLargeFonts(false);
    outer->addWidget(m_captionLabel);
    setPlaying(false);
}

void LessonBar::setCaptions(const QList<LessonCaption> &captions, qint64 durationNs)
{
    m_captions = captions;
    m_durationNs = std::max<qint64>(durationNs, 1);
    m_caption = -1;
    setPlayhead(0);
}

void LessonBar::setPlayhead(qint64 relativeNs)
{
    m_seeking = true;
    m_slider->setValue(int(1000.0 * double(relativeNs) / double(m_durationNs)));
    m_seeking = false;
    m_time->setText(tr("%1 s / %2 s")
                        .arg(double(relativeNs) / 1e9, 0, 'f', 2)
                        .arg(double(m_durationNs) / 1e9, 0, 'f', 2));
    const int at = LessonScript::captionAt(m_captions, relativeNs);
    if (at != m_caption) {
        m_caption = at;
        m_captionLabel->setText(at >= 0 ? m_captions[at].text : QString());
        m_step->setText(at >= 0 ? tr("step %1/%2").arg(at + 1).arg(m_captions.size()) : QString());
    }
}

void LessonBar::setPlaying(bool playing)
{
    const QSignalBlocker block(m_play);
    m_play->setChecked(playing);
    m_play->setText(playing ? tr("Pause") : tr("Play"));
    m_play->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
}

void LessonBar::setLargeFonts(bool on)
{
    const QSignalBlocker block(m_large);
    m_large->setChecked(on);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * (on ? 1.5 : 1.25));
    f.setBold(true);
    m_captionLabel->setFont(f);
}

QString LessonBar::captionText() const
{
    return m_captionLabel->text();
}
