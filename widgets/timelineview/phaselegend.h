#pragma once

#include <QWidget>

// A row of colour chips naming the timeline's phases (and the blocked-loop marker); wraps onto
// a second row when the window is narrow (a 1366-pixel laptop screen).
class PhaseLegend : public QWidget
{
    Q_OBJECT
public:
    explicit PhaseLegend(QWidget *parent = nullptr);
    QSize sizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Chip
    {
        QColor colour;
        QString text;
    };
    QList<Chip> chips() const;
    int chipWidth(const Chip &chip) const;
    int rowsFor(int width) const;
};
