#pragma once

#include <QWidget>

// A row of colour chips naming the timeline's phases (and the blocked-loop marker).
class PhaseLegend : public QWidget
{
    Q_OBJECT
public:
    explicit PhaseLegend(QWidget *parent = nullptr);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
};
