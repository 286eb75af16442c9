#pragma once

#include "lesson/lessonscript.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

// The lesson controls above the timelines: play/pause, speed (0.1x-10x), a seek slider, the
// playhead time, the caption of the current step in large type, and the large-fonts switch.
class LessonBar : public QWidget
{
    Q_OBJECT
public:
    explicit LessonBar(QWidget *parent = nullptr);

    void setCaptions(const QList<LessonCaption> &captions, qint64 durationNs);
    void setPlayhead(qint64 relativeNs);
    void setPlaying(bool playing);
    void setLargeFonts(bool on);
    QString captionText() const;
    int captionIndex() const { return m_caption; }

signals:
    void playToggled(bool play);
    void speedChanged(double speed);
    void seekRequested(qint64 relativeNs);
    void largeFontsToggled(bool on);
    void exitRequested();

private:
    QList<LessonCaption> m_captions;
    qint64 m_durationNs = 1;
    int m_caption = -1;
    QToolButton *m_play;
    QComboBox *m_speed;
    QSlider *m_slider;
    QLabel *m_time, *m_captionLabel, *m_step;
    QCheckBox *m_large;
    bool m_seeking = false;
};
