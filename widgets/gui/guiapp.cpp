#include "guiapp.h"

#include <QApplication>
#include <QMessageBox>

int runGui(int argc, char *argv[], void (*identify)())
{
    QApplication app(argc, argv);
    identify();
    QMessageBox::information(nullptr, QStringLiteral("LoopScope"),
                             QStringLiteral("The LoopScope window is being built. Use `loopscope serve` meanwhile."));
    return 0;
}
