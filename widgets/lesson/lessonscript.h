#pragma once

#include <QList>
#include <QString>

struct SessionRun;

// The captions of a lesson replay: the scenario's explanation split into steps, framed by what
// the run is and what it measured, each shown from a point of the run's time line.
struct LessonCaption
{
    qint64 fromNs = 0; // relative to the run start
    QString text;
};

namespace LessonScript {

// Sentences of an explanation (English or Chinese punctuation); decimals and "..." stay whole.
QStringList splitSteps(const QString &explanation);
// Captions for a run lasting durationNs, in Chinese when `chinese` and the scenario has it.
QList<LessonCaption> captions(const SessionRun &run, qint64 durationNs, bool chinese);
// The caption showing at relative time t.
int captionAt(const QList<LessonCaption> &captions, qint64 tNs);

} // namespace LessonScript
