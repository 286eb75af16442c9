#include "reportcommand.h"

#include "report/htmlreport.h"
#include "report/runexport.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>

int runReportCommand(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Re-render the reports of a saved run."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("run.json"), QStringLiteral("A run saved by `loopscope run`."));
    p.addOption({ QStringLiteral("out"), QStringLiteral("Output directory (default: next to run.json)."),
                  QStringLiteral("DIR") });
    p.addOption({ QStringLiteral("language"),
                  QStringLiteral("Language of report.html and report.pdf: en or zh_CN."),
                  QStringLiteral("LANG"), QStringLiteral("en") });
    QStringList args = arguments;
    if (args.size() > 1)
        args.removeAt(1);
    p.process(args);
    QTextStream err(stderr);
    if (p.positionalArguments().size() != 1) {
        err << "loopscope report: give one run.json\n";
        return 2;
    }
    const QString path = p.positionalArguments().first();
    RunResult run;
    QString error;
    if (!RunExport::readRunJson(path, &run, &error)) {
        err << "loopscope report: " << error << "\n";
        return 2;
    }
    const QString out
        = p.isSet(QStringLiteral("out")) ? p.value(QStringLiteral("out")) : QFileInfo(path).absolutePath();
    QStringList written;
    RunExport::ExportOptions options;
    options.language = ReportStyle::parseLanguage(p.value(QStringLiteral("language")));
    if (!RunExport::writeAll(run, out, &written, &error, options)) {
        err << "loopscope report: " << error << "\n";
        return 2;
    }
    for (const QString &line : HtmlReport::summaryLines(run))
        err << line << "\n";
    err << "wrote " << written.join(QStringLiteral(", ")) << Qt::endl;
    return 0;
}
