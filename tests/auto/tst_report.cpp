// The files `loopscope run` writes: run.json round trip, requests.csv, trace.json validity,
// report.html and report.pdf.
#include "otlp/otlpobserver.h"
#include "report/htmlreport.h"
#include "report/pdfreport.h"
#include "report/reportdocument.h"
#include "report/runexport.h"
#include "report/svgplot.h"
#include "scenario/scenariorunner.h"
#include "timeline/axisticks.h"
#include "timeline/threadlanemodel.h"
#include "timeline/timelinedata.h"
#include "timeline/tracesource.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <map>

class TestReport : public QObject
{
    Q_OBJECT

private:
    RunResult m_run;

private slots:
    void initTestCase()
    {
        Scenario s;
        QString error;
        QVERIFY2(Scenario::open(QStringLiteral("pseudo_async"), &s, &error), qPrintable(error));
        RunOptions o;
        o.timeScale = 0.05;
        ScenarioRunner runner;
        runner.setScenario(s);
        runner.setOptions(o);
        QSignalSpy finished(&runner, &ScenarioRunner::finished);
        QVERIFY(runner.start(&error));
        QVERIFY(finished.wait(60000));
        m_run = runner.result();
        QCOMPARE(m_run.variants.size(), 2);
        QCOMPARE(m_run.variants[0].client.size(), 5);
    }

    void runJsonRoundTrip()
    {
        const QByteArray json = RunExport::runJson(m_run);
        RunResult back;
        QString error;
        QVERIFY2(RunResult::fromJson(QJsonDocument::fromJson(json).object(), &back, &error),
                 qPrintable(error));
        QCOMPARE(back.scenario.name, m_run.scenario.name);
        QCOMPARE(back.variants.size(), m_run.variants.size());
        for (int i = 0; i < back.variants.size(); ++i) {
            const VariantResult &a = m_run.variants[i];
            const VariantResult &b = back.variants[i];
            QCOMPARE(b.client.size(), a.client.size());
            QCOMPARE(b.server.size(), a.server.size());
            QCOMPARE(b.counters.size(), a.counters.size());
            for (int k = 0; k < a.client.size(); ++k) {
                QCOMPARE(b.client[k].tag, a.client[k].tag);
                QCOMPARE(b.client[k].latencyNs(), a.client[k].latencyNs()); // exact: integer ns
                QVERIFY(b.serverRecordFor(b.client[k]) != nullptr);
            }
            QCOMPARE(b.metrics.value(QStringLiteral("makespan_s")),
                     a.metrics.value(QStringLiteral("makespan_s")));
            QCOMPARE(b.latency.p50Ms, a.latency.p50Ms);
        }
        QCOMPARE(back.checks.size(), m_run.checks.size());
        QCOMPARE(back.passed(), m_run.passed());
    }

    // run.json's server records and counters are written by hand for speed: the same objects.
    void fastRecordJsonMatches()
    {
        int checked = 0;
        for (const VariantResult &v : m_run.variants) {
            for (const RequestRecord &r : v.server) {
                const QJsonDocument doc = QJsonDocument::fromJson(RunExport::requestRecordJson(r, v.startNs));
                QVERIFY(doc.isObject());
                QCOMPARE(doc.object(), requestRecordToJson(r, v.startNs));
                ++checked;
            }
            for (const CounterSample &c : v.counters) {
                const QJsonDocument doc = QJsonDocument::fromJson(RunExport::counterSampleJson(c, v.startNs));
                QVERIFY(doc.isObject());
                QCOMPARE(doc.object(), counterSampleToJson(c, v.startNs));
            }
        }
        QCOMPARE(checked, 10);
        // A user id that needs escaping, and an unset timestamp.
        RequestRecord r;
        r.setUserId("a \"quoted\" \\ user\n");
        r.status = 200;
        const QJsonDocument doc = QJsonDocument::fromJson(RunExport::requestRecordJson(r, 1000));
        QCOMPARE(doc.object(), requestRecordToJson(r, 1000));
    }

    void csvRoundTrip()
    {
        const QList<QByteArray> lines = RunExport::requestsCsv(m_run).trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + 10);
        const int columns = int(lines[0].count(',')) + 1;
        int row = 0;
        for (const VariantResult &v : m_run.variants) {
            for (const ClientRecord &c : v.client) {
                const QString line = QString::fromUtf8(lines[++row]);
                QCOMPARE(int(line.count(QLatin1Char(','))) + 1, columns);
                QVERIFY(line.startsWith(v.name + QLatin1Char(',')));
                const QStringList f = line.split(QLatin1Char(','));
                ClientRecord back;
                QVERIFY(ClientRecord::fromCsvRow(f.mid(1, 18).join(QLatin1Char(',')), v.startNs, &back));
                QCOMPARE(back.tag, c.tag);
                QVERIFY(std::abs(back.completeNs - c.completeNs) <= 1000);
                QVERIFY(std::abs(back.intendedNs - c.intendedNs) <= 1000);
                QVERIFY(!f[19].isEmpty()); // server_arrived_ms: joined
            }
        }
    }

    void traceIsValid()
    {
        const QByteArray text = RunExport::traceJson(m_run);
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
        QVERIFY2(doc.isObject(), qPrintable(pe.errorString()));
        // No exponent notation anywhere a number is written.
        QVERIFY(!QRegularExpression(QStringLiteral("[0-9][eE][+-]?[0-9]"))
                     .match(QString::fromUtf8(text))
                     .hasMatch());
        const QJsonArray events = doc.object().value(QStringLiteral("traceEvents")).toArray();
        QVERIFY(!events.isEmpty());
        std::map<std::pair<int, qint64>, int> open; // (pid, id) -> depth
        std::map<std::pair<int, int>, double> threadEnd;
        int begins = 0, slices = 0, counters = 0, names = 0;
        for (const QJsonValue &v : events) {
            const QJsonObject e = v.toObject();
            const QString ph = e.value(QStringLiteral("ph")).toString();
            QVERIFY(e.contains(QStringLiteral("name")));
            QVERIFY(e.contains(QStringLiteral("pid")));
            if (ph == QLatin1String("M")) {
                ++names;
                continue;
            }
            QVERIFY(e.value(QStringLiteral("ts")).isDouble());
            QVERIFY(e.value(QStringLiteral("ts")).toDouble() >= 0);
            const int pid = e.value(QStringLiteral("pid")).toInt();
            if (ph == QLatin1String("b") || ph == QLatin1String("e")) {
                QVERIFY(e.contains(QStringLiteral("cat")));
                QVERIFY(e.value(QStringLiteral("id")).isDouble());
                auto &depth = open[{ pid, e.value(QStringLiteral("id")).toInteger() }];
                depth += ph == QLatin1String("b") ? 1 : -1;
                QVERIFY(depth >= 0);
                begins += ph == QLatin1String("b");
            } else if (ph == QLatin1String("X")) {
                QVERIFY(e.value(QStringLiteral("dur")).toDouble() >= 0);
                const auto key = std::make_pair(pid, e.value(QStringLiteral("tid")).toInt());
                const double ts = e.value(QStringLiteral("ts")).toDouble();
                QVERIFY2(ts >= threadEnd[key] - 0.001, "X slices on a thread overlap");
                threadEnd[key] = ts + e.value(QStringLiteral("dur")).toDouble();
                ++slices;
            } else if (ph == QLatin1String("C")) {
                QVERIFY(e.value(QStringLiteral("args")).isObject());
                ++counters;
            } else {
                QFAIL(qPrintable(QStringLiteral("unexpected phase ") + ph));
            }
        }
        for (const auto &[key, depth] : open)
            QCOMPARE(depth, 0); // every lifespan closed
        QVERIFY(begins >= 10 * 3); // request, server, phases
        QVERIFY(slices >= 5); // blocking variant: the loop thread ran the pipeline
        QVERIFY(counters > 0);
        QVERIFY(names >= 4);
    }

    // The modelled GIL handed over every 5 ms for minutes: trace.json keeps one slice per turn up
    // to its cap per thread track, then merges consecutive slices and says so on the track. A
    // merged slice is named "merged", never by a phase (its extent covers the other thread's
    // turns), and its args keep the true time of each phase.
    void gilSlicesMergeAboveTheCap()
    {
        RunResult run;
        run.scenario = m_run.scenario;
        VariantResult v;
        v.name = QStringLiteral("B");
        v.label = QStringLiteral("two threads under the GIL");
        v.startNs = 1'000'000'000;
        const qint64 turnNs = 5'000'000;
        const int turns = 60'000; // 300 s: 30,000 turns per thread
        v.endNs = v.startNs + turns * turnNs;
        v.threadNames = { QStringLiteral("pool-0"), QStringLiteral("pool-1") };
        v.threadKinds = { LaneKind::PoolThread, LaneKind::PoolThread };
        for (quint16 t = 0; t < 2; ++t) {
            RequestRecord r;
            r.arrivedNs = v.startNs;
            r.startedNs = v.startNs;
            r.respondedNs = v.endNs;
            r.status = 200;
            r.mode = DispatchMode::Executor;
            r.endSpan(r.beginSpan(Phase::CpuWork, v.startNs, t), v.endNs);
            v.server.append(r);
        }
        for (int k = 0; k < turns; ++k) {
            const qint64 s = v.startNs + k * turnNs;
            v.lockHolds.push_back({ k < 2 ? v.startNs : s - turnNs, s, s + turnNs, quint16(k % 2) });
        }
        run.variants = { v };
        const QJsonArray events = QJsonDocument::fromJson(RunExport::traceJson(run))
                                      .object()
                                      .value(QStringLiteral("traceEvents"))
                                      .toArray();
        std::map<int, int> slicesOf, notesOf;
        std::map<int, double> cpuUsOf;
        for (const QJsonValue &x : events) {
            const QJsonObject e = x.toObject();
            if (e.value(QStringLiteral("cat")).toString() != QLatin1String("thread"))
                continue;
            const int tid = e.value(QStringLiteral("tid")).toInt();
            const QString ph = e.value(QStringLiteral("ph")).toString();
            if (ph == QLatin1String("i")) {
                QCOMPARE(e.value(QStringLiteral("name")).toString(), QStringLiteral("slices merged"));
                ++notesOf[tid];
                continue;
            }
            QCOMPARE(ph, QStringLiteral("X"));
            ++slicesOf[tid];
            const QString name = e.value(QStringLiteral("name")).toString();
            const QJsonObject args = e.value(QStringLiteral("args")).toObject();
            if (args.contains(QStringLiteral("merged"))) {
                QCOMPARE(name, QStringLiteral("merged"));
                QVERIFY(args.value(QStringLiteral("merged")).toInt() >= 2);
                cpuUsOf[tid] += args.value(QStringLiteral("cpu_work")).toDouble();
            } else {
                QVERIFY2(name == QLatin1String("cpu_work") || name == QLatin1String("gil_wait"),
                         qPrintable(name));
                if (name == QLatin1String("cpu_work")) {
                    QVERIFY(e.value(QStringLiteral("dur")).toDouble() <= turnNs / 1e3 + 0.001);
                    cpuUsOf[tid] += e.value(QStringLiteral("dur")).toDouble();
                }
            }
        }
        QCOMPARE(slicesOf.size(), size_t(2));
        for (const auto &[tid, n] : slicesOf) {
            QVERIFY2(n <= 20'001 && n >= 10'000, qPrintable(QString::number(n))); // capped, not collapsed
            QCOMPARE(notesOf[tid], 1);
            // Every turn's CPU time is still there: 30,000 turns of 5 ms.
            QVERIFY2(std::abs(cpuUsOf[tid] - 30'000 * turnNs / 1e3) < 1e3,
                     qPrintable(QString::number(cpuUsOf[tid])));
        }
    }

    // The report's lanes are the window's: the thread view of a saved run reads SavedRunSource and
    // ThreadLaneModel; each variant's timeline figure must name the same lanes in the same order
    // and colour each with the phases the model puts on it (and no others).
    void reportLanesAreTheWindows()
    {
        const ReportDocument doc = ReportDocument::build(m_run);
        qint64 spanNs = 1;
        for (const VariantResult &v : m_run.variants) {
            for (const ClientRecord &c : v.client)
                spanNs = std::max(spanNs, c.completeNs - v.startNs);
        }
        const QRegularExpression textRe(QStringLiteral(
            "<text x='[0-9.]+' y='([0-9.]+)' text-anchor='end' font-size='10'[^>]*>([^<]*)</text>"));
        const QRegularExpression rectRe(QStringLiteral(
            "<rect x='([0-9.]+)' y='([0-9.]+)' width='([0-9.]+)' height='([0-9.]+)' fill='(#[0-9a-f]+)'/>"));
        int lanesChecked = 0;
        for (const VariantResult &v : m_run.variants) {
            TimelineData data;
            SavedRunSource(&v).pull(data);
            ThreadLaneModel window;
            window.sync(data);
            window.select(v.startNs, v.startNs + 2 * spanNs, data.latestNs());
            QVERIFY(window.rowCount() > 0);
            const auto figure = std::find_if(doc.blocks.begin(), doc.blocks.end(), [&](const ReportBlock &b) {
                return b.kind == ReportBlock::Kind::Figure
                    && b.text == ReportText::variantTitle(m_run, v, ReportStyle::Language::English);
            });
            QVERIFY(figure != doc.blocks.end());
            QStringList labels;
            QList<double> labelY;
            for (auto it = textRe.globalMatch(figure->svg); it.hasNext();) {
                const auto m = it.next();
                if (m.captured(2) == QLatin1String("first request") || m.captured(2) == QLatin1String("last"))
                    continue;
                labels << m.captured(2);
                labelY << m.captured(1).toDouble();
            }
            QStringList names;
            for (qsizetype l = 0; l < window.rowCount(); ++l)
                names << window.row(l).label;
            QCOMPARE(labels, names);
            for (qsizetype l = 0; l < window.rowCount(); ++l) {
                // Pure category colours drawn in this lane's band (the label sits 4 px above its foot).
                QSet<QString> drawn;
                for (auto it = rectRe.globalMatch(figure->svg); it.hasNext();) {
                    const auto m = it.next();
                    const double y = m.captured(2).toDouble();
                    if (y >= labelY[l] - 8.5 && y < labelY[l] + 4)
                        drawn.insert(m.captured(5));
                }
                QSet<QString> modelled, wide;
                window.forEachPiece(l, [&](const TimelinePiece &pc) {
                    const QString c = ReportStyle::hex(ReportStyle::categoryColor(pc.colour, false));
                    modelled.insert(c);
                    if (pc.endNs - pc.startNs >= spanNs / 50)
                        wide.insert(c);
                });
                for (const QString &c : wide)
                    QVERIFY2(drawn.contains(c), qPrintable(names[l] + QStringLiteral(": missing ") + c));
                for (int cat = 0; cat < ReportStyle::CategoryCount; ++cat) {
                    const QString c = ReportStyle::hex(ReportStyle::categoryColor(cat, false));
                    QVERIFY2(!drawn.contains(c) || modelled.contains(c),
                             qPrintable(names[l] + QStringLiteral(": not in the model ") + c));
                }
                lanesChecked += wide.isEmpty() ? 0 : 1;
            }
        }
        QVERIFY(lanesChecked >= 2);
    }

    void htmlAndPdf()
    {
        const QByteArray html = HtmlReport::render(m_run);
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        // per variant: timeline; shared: in flight, pool, loop lag, latency distribution
        QVERIFY(html.count("<svg") >= 6);
        QVERIFY(html.contains("Expected vs measured"));
        QVERIFY(!html.contains("src=\"http"));
        QVERIFY(!html.contains("src='http"));
        QVERIFY(!html.contains("<script"));
        const QByteArray pdf = PdfReport::render(m_run);
        QVERIFY(pdf.startsWith("%PDF-1.4"));
        QVERIFY(pdf.trimmed().endsWith("%%EOF"));
        // xref offsets point at the objects
        const qsizetype xref = pdf.lastIndexOf("startxref");
        const qsizetype at = pdf.mid(xref + 10).trimmed().split('\n').first().toLongLong();
        QVERIFY(pdf.mid(at, 4) == "xref");
    }

    // A recording's writer exports into a temporary folder that a second Ctrl+C removes before the
    // process exits at once: the export must not make that folder again (it would be left behind).
    void exportNeverRemakesARemovedFolder()
    {
        QTemporaryDir base;
        QVERIFY(base.isValid());
        const QString gone = QDir(base.path()).filePath(QStringLiteral("removed"));
        RunExport::ExportOptions options;
        options.createDir = false;
        QString error;
        QVERIFY(!RunExport::writeAll(m_run, gone, nullptr, &error, options));
        QVERIFY2(error.contains(QLatin1String("is gone")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(gone));
        // The default still makes the folder.
        QStringList written;
        QVERIFY2(RunExport::writeAll(m_run, gone, &written, &error), qPrintable(error));
        QCOMPARE(written.size(), 5);
    }

    // The first thing a reader sees: a headline that names both variants and states the ratio,
    // then one table with every variant's figures side by side.
    void headlineFirst()
    {
        const ReportDocument doc = ReportDocument::build(m_run);
        QVERIFY(doc.blocks.size() > 3);
        QCOMPARE(doc.blocks[0].kind, ReportBlock::Kind::Headline);
        const QString headline = doc.blocks[0].text;
        const VariantResult &a = m_run.variants[0];
        const VariantResult &b = m_run.variants[1];
        QVERIFY2(headline.contains(QStringLiteral("A · blocking")), qPrintable(headline));
        QVERIFY2(headline.contains(QStringLiteral("B · executor")), qPrintable(headline));
        const double ratio
            = a.metrics.value(QStringLiteral("makespan_s")) / b.metrics.value(QStringLiteral("makespan_s"));
        QVERIFY2(headline.contains(QStringLiteral("%1×").arg(ratio, 0, 'f', 1)), qPrintable(headline));
        QVERIFY2(headline.contains(QStringLiteral("(PASS)")) || headline.contains(QStringLiteral("(FAIL)")),
                 qPrintable(headline));

        const ReportBlock &table = doc.blocks[1];
        QCOMPARE(table.kind, ReportBlock::Kind::Table);
        QCOMPARE(table.header.size(), 1 + 2 + 1); // figure, A, B, B / A
        QVERIFY(table.header[1].startsWith(QStringLiteral("A · ")));
        QVERIFY(table.header[2].startsWith(QStringLiteral("B · ")));
        QCOMPARE(table.header[3], QStringLiteral("B / A"));
        QMap<QString, QList<ReportCell>> rows;
        for (const auto &row : table.rows)
            rows.insert(row[0].text, row);
        for (const QString &label :
             { QStringLiteral("Makespan (s)"), QStringLiteral("p50 latency (ms)"),
               QStringLiteral("p95 latency (ms)"), QStringLiteral("p99 latency (ms)"),
               QStringLiteral("Throughput (requests/s)"), QStringLiteral("Failed requests"),
               QStringLiteral("Expected by the seed") })
            QVERIFY2(rows.contains(label), qPrintable(label));
        const auto makespan = rows.value(QStringLiteral("Makespan (s)"));
        const auto sig = [](double v) {
            return QString::number(v, 'f', v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3);
        };
        QCOMPARE(makespan[1].text, sig(a.metrics.value(QStringLiteral("makespan_s"))));
        QCOMPARE(makespan[2].text, sig(b.metrics.value(QStringLiteral("makespan_s"))));
        QCOMPARE(makespan[3].text, QStringLiteral("%1×").arg(1 / ratio, 0, 'f', 2));
        const auto p95 = rows.value(QStringLiteral("p95 latency (ms)"));
        QVERIFY(QString(p95[1].text).remove(QLatin1Char(',')).toDouble() == std::round(a.latency.p95Ms));
        const auto expected = rows.value(QStringLiteral("Expected by the seed"));
        for (int i = 1; i <= 2; ++i) {
            QVERIFY(expected[i].text.contains(QStringLiteral("PASS"))
                    || expected[i].text.contains(QStringLiteral("FAIL")));
            QVERIFY(expected[i].style == ReportCell::Style::Pass
                    || expected[i].style == ReportCell::Style::Fail);
        }
    }

    // run.json's keys never reach the reader: every figure, setting and counter has words.
    void noRawKeysInVisibleText_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addRow("en") << QStringLiteral("en");
        QTest::addRow("zh_CN") << QStringLiteral("zh_CN");
    }
    void noRawKeysInVisibleText()
    {
        QFETCH(QString, language);
        ReportOptions o;
        o.language = ReportStyle::parseLanguage(language);
        const QStringList text = ReportDocument::build(m_run, o).visibleText();
        const QString all = text.join(QLatin1Char('\n'));
        QStringList keys { QStringLiteral("in_flight"), QStringLiteral("pool_queued"),
                           QStringLiteral("loop_lag"), QStringLiteral("pool_active") };
        for (const VariantResult &v : m_run.variants) {
            keys << v.metrics.keys();
            keys << v.serverConfig.keys();
        }
        for (const QString &key : keys) {
            if (key.contains(QLatin1Char('_')))
                QVERIFY2(!all.contains(key), qPrintable(key));
        }
        // Nothing else that looks like an identifier either, except the seed's own code names.
        static const QRegularExpression snake(QStringLiteral("\\b[a-z][a-z0-9]*_[a-z0-9_]+\\b"));
        auto it = snake.globalMatch(all);
        while (it.hasNext()) {
            const QString word = it.next().captured(0);
            QVERIFY2(word == QLatin1String("run_in_executor") || word == m_run.scenario.name,
                     qPrintable(word));
        }
    }

    void bothLanguagesRender()
    {
        ReportOptions zh;
        zh.language = ReportStyle::Language::Chinese;
        const ReportDocument doc = ReportDocument::build(m_run, zh);
        QCOMPARE(doc.title, m_run.scenario.titleZh);
        QVERIFY(doc.blocks[0].text.contains(QStringLiteral("个请求")));
        QCOMPARE(doc.blocks[1].rows[2][0].text, QStringLiteral("总耗时（秒）"));
        const QString html = QString::fromUtf8(HtmlReport::render(m_run, zh));
        QVERIFY(html.contains(QStringLiteral("<html lang='zh-CN'>")));
        QVERIFY(html.contains(QStringLiteral("延迟分布")));
        QVERIFY(html.contains(QStringLiteral("数据库读取"))); // the window's phase name in the legend
        QVERIFY(!html.contains(QStringLiteral("Latency distribution")));
        const QString en = QString::fromUtf8(HtmlReport::render(m_run));
        QVERIFY(en.contains(QStringLiteral("<html lang='en'>")));
        QVERIFY(en.contains(QStringLiteral("Latency distribution")));
        QVERIFY(!en.contains(QStringLiteral("延迟分布")));
    }

    // An observed run: the services' own event-loop delay, utilisation, CPU and memory get a
    // section of their own, per instance, said to be theirs, in both languages; the server
    // counters' heartbeat lag chart, LoopScope's own, is not drawn for them.
    void observedServicesOwnFigures()
    {
        const quint64 ms = 1'000'000;
        const quint64 t0 = quint64(QDateTime::currentMSecsSinceEpoch()) * ms - 3000 * ms;
        OtlpObserver observer;
        Otlp::Batch spans;
        Otlp::MetricBatch metrics;
        for (const char *host : { "host-a", "host-b" }) {
            spans.resources.append({ QStringLiteral("chat"), QLatin1String(host), {} });
            metrics.resources.append(spans.resources.last());
        }
        for (int h = 0; h < 2; ++h) {
            Otlp::Span s; // one request per host at t0: the time axis starts there
            s.traceId = QByteArray(16, char(1 + h));
            s.spanId = QByteArray(8, char(1 + h));
            s.kind = Otlp::SpanKind::Server;
            s.startUnixNs = t0;
            s.endUnixNs = t0 + 300 * ms;
            s.resource = h;
            spans.spans.append(s);
        }
        QVERIFY(observer.assembler()->enqueue(std::move(spans)));
        // host-a blocked (busy-waits), host-b awaiting, every 250 ms for 1 s.
        const auto point = [&](int host, const char *name, const char *unit, int k, double value) {
            Otlp::MetricPoint p;
            p.name = QLatin1String(name);
            p.unit = QLatin1String(unit);
            p.resource = host;
            p.timeUnixNs = t0 + quint64(k) * 250 * ms;
            p.startUnixNs = t0 - 1000 * ms;
            p.type = QByteArray(name).startsWith("process.cpu") ? Otlp::MetricType::Sum
                                                                : Otlp::MetricType::Gauge;
            p.temporality = Otlp::Temporality::Cumulative;
            p.value = value;
            metrics.points.append(p);
        };
        for (int k = 0; k <= 4; ++k) {
            point(0, "nodejs.eventloop.delay.max", "s", k, k ? 0.34 : 0.011);
            point(1, "nodejs.eventloop.delay.max", "s", k, k == 4 ? 0.5 : 0.025); // after its request
            point(0, "nodejs.eventloop.delay.p99", "s", k, 0.3);
            point(1, "nodejs.eventloop.delay.mean", "s", k, 0.012);
            point(0, "nodejs.eventloop.utilization", "1", k, 1.0);
            point(1, "nodejs.eventloop.utilization", "1", k, 0.18);
            point(0, "process.cpu.time", "s", k, 0.25 * k); // one core busy
            point(1, "process.cpu.time", "s", k, 0.02 * k);
            point(0, "process.memory.usage", "By", k, 50.0 * 1024 * 1024);
            point(1, "v8js.memory.heap.used", "By", k, 10.0 * 1024 * 1024);
        }
        QVERIFY(observer.metrics()->add(metrics));
        const RunResult run = observer.buildRun();
        const ReportDocument doc = ReportDocument::build(run);
        const QString text = doc.visibleText().join(QLatin1Char('\n'));
        QVERIFY(text.contains(QStringLiteral("The observed services' own figures")));
        // Peaks while each instance served its request (0-300 ms: the intervals ending at 250 and
        // 500 ms), so host-b's later 500 ms delay is in its plot, not in the table.
        QVERIFY(text.contains(QStringLiteral("not by LoopScope")));
        QVERIFY(!text.contains(QStringLiteral("heartbeat"))); // LoopScope's own lag chart
        // Its axes start when the observation did; its timeline has no client bars, and says so.
        QVERIFY(text.contains(QStringLiteral("Time since the observation started (s)")));
        QVERIFY(!text.contains(QStringLiteral("Time since the first request")));
        QVERIFY(text.contains(QStringLiteral("Recorded server-side: no client bars")));
        QVERIFY(!text.contains(QStringLiteral("No finished requests")));
        // The peaks, one row per instance.
        const ReportBlock *peaks = nullptr;
        for (const ReportBlock &b : doc.blocks)
            if (b.kind == ReportBlock::Kind::Table
                && b.header.value(0).startsWith(QStringLiteral("Instance")))
                peaks = &b;
        QVERIFY(peaks);
        QCOMPARE(peaks->header.size(), 8);
        QCOMPARE(peaks->rows.size(), 2);
        const auto cells = [&](int row) {
            QStringList out;
            for (const ReportCell &c : peaks->rows[row])
                out << c.text;
            return out;
        };
        QCOMPARE(cells(0),
                 (QStringList { QStringLiteral("chat @ host-a"), QStringLiteral("340"), QStringLiteral("300"),
                                QStringLiteral("–"), QStringLiteral("100"), QStringLiteral("100"),
                                QStringLiteral("50.0"), QStringLiteral("–") }));
        QCOMPARE(cells(1),
                 (QStringList { QStringLiteral("chat @ host-b"), QStringLiteral("25.0"), QStringLiteral("–"),
                                QStringLiteral("12.0"), QStringLiteral("18.0"), QStringLiteral("8.00"),
                                QStringLiteral("–"), QStringLiteral("10.0") }));
        // Per instance: delay, utilisation and CPU, memory; the delay caption carries the lesson.
        QStringList figures;
        for (const ReportBlock &b : doc.blocks)
            if (b.kind == ReportBlock::Kind::Figure && b.text.startsWith(QStringLiteral("chat @")))
                figures << b.text;
        QCOMPARE(figures,
                 (QStringList { QStringLiteral("chat @ host-a: event-loop delay"),
                                QStringLiteral("chat @ host-a: loop utilisation and CPU"),
                                QStringLiteral("chat @ host-a: memory"),
                                QStringLiteral("chat @ host-b: event-loop delay"),
                                QStringLiteral("chat @ host-b: loop utilisation and CPU"),
                                QStringLiteral("chat @ host-b: memory") }));
        QVERIFY(
            text.contains(QStringLiteral("a blocked Node loop shows as a max delay at least as long as the "
                                         "handler's busy time")));
        // The same time axis as the timelines: host-a's delay starts low at the request's start and
        // rises a quarter second later; 1 s of metrics on a ~3 s axis ends about a third along it.
        const ReportBlock *delayA = nullptr;
        for (const ReportBlock &b : doc.blocks)
            if (b.text == figures[0])
                delayA = &b;
        QVERIFY(delayA);
        const QRegularExpression line(QStringLiteral("<polyline[^>]*points='([^']*)'"));
        const QStringList xy = line.match(delayA->svg).captured(1).split(QLatin1Char(' '));
        QCOMPARE(xy.size(), 5); // max: one point per interval
        const SvgPlot::Area area = SvgPlot::area(900, 180);
        QCOMPARE(xy.first().section(QLatin1Char(','), 0, 0).toDouble(), area.left); // at the request's start
        const double lastX = xy.last().section(QLatin1Char(','), 0, 0).toDouble();
        QVERIFY2(lastX > area.left + area.width() / 5 && lastX < area.left + area.width() / 2,
                 qPrintable(xy.join(QLatin1Char(' '))));
        QVERIFY(xy[0].section(QLatin1Char(','), 1).toDouble()
                > xy[1].section(QLatin1Char(','), 1).toDouble());
        const ReportOptions zhOptions { ReportStyle::Language::Chinese };
        const QString zh = ReportDocument::build(run, zhOptions).visibleText().join(QLatin1Char('\n'));
        QVERIFY(zh.contains(QStringLiteral("被观测服务自身的指标")));
        QVERIFY(zh.contains(QStringLiteral("chat @ host-a：事件循环延迟")));
        QVERIFY(!zh.contains(QStringLiteral("The observed services")));
        // And from run.json, as `loopscope report` reads it.
        RunResult reread;
        QString error;
        QVERIFY2(RunResult::fromJson(run.toJson(), &reread, &error), qPrintable(error));
        const QStringList again = ReportDocument::build(reread).visibleText();
        QVERIFY(again.contains(QStringLiteral("chat @ host-b: memory")));
    }

    // One plot of every variant's latency, and the colours the window uses.
    void sharedPaletteAndOneDistributionPlot()
    {
        const ReportDocument doc = ReportDocument::build(m_run);
        int distributions = 0;
        for (const ReportBlock &b : doc.blocks) {
            if (b.kind != ReportBlock::Kind::Figure
                || !b.text.startsWith(QStringLiteral("Latency of every request")))
                continue;
            ++distributions;
            QCOMPARE(b.svg.count(QStringLiteral("<polyline")), 2);
            QVERIFY(b.svg.contains(ReportStyle::hex(ReportStyle::variantColor(0))));
            QVERIFY(b.svg.contains(ReportStyle::hex(ReportStyle::variantColor(1))));
            QVERIFY(b.svg.contains(QStringLiteral("requests answered (%)")));
        }
        QCOMPARE(distributions, 1);
        // The LLM phase is drawn in the window's LLM colour.
        const QString llm = ReportStyle::hex(ReportStyle::categoryColor(int(Phase::Llm) + 1, false));
        bool found = false;
        for (const ReportBlock &b : doc.blocks)
            found = found
                || (b.kind == ReportBlock::Kind::Figure
                    && b.svg.contains(QStringLiteral("fill='%1'").arg(llm)));
        QVERIFY(found);
    }

    // A run whose server had a PostgreSQL pool gets the pool's chart (busy solid, waiting dashed,
    // size dotted, per variant) and its peaks in words; a run without one does not.
    void databasePoolChartOnlyWithAPool()
    {
        const auto poolSection = [](const ReportDocument &doc) {
            for (const ReportBlock &b : doc.blocks) {
                if (b.kind == ReportBlock::Kind::Figure && b.text == QLatin1String("Database connections"))
                    return qsizetype(&b - doc.blocks.data());
            }
            return qsizetype(-1);
        };
        QCOMPARE(poolSection(ReportDocument::build(m_run)), -1); // SQLite: no pool
        RunResult run = m_run;
        for (int i = 0; i < run.variants.size(); ++i) {
            VariantResult &v = run.variants[i];
            QVERIFY(v.counters.size() > 10);
            for (int k = 0; k < v.counters.size(); ++k) {
                v.counters[k].dbPoolSize = 5;
                v.counters[k].dbBusy = k < v.counters.size() / 2 ? 5 : 0;
                v.counters[k].dbWaiting = k < v.counters.size() / 4 ? 20 + 10 * i : 0;
            }
            v.metrics[QStringLiteral("db_busy_peak")] = 5;
            v.metrics[QStringLiteral("db_waiting_peak")] = 20 + 10 * i;
            v.metrics[QStringLiteral("db_pool_wait_max_s")] = 0.25;
        }
        const ReportDocument doc = ReportDocument::build(run);
        const qsizetype at = poolSection(doc);
        QVERIFY(at > 0);
        const ReportBlock &chart = doc.blocks[size_t(at)];
        QCOMPARE(doc.blocks[size_t(at - 1)].text, QStringLiteral("Database connection pool"));
        QCOMPARE(chart.svg.count(QStringLiteral("<polyline")), 3 * run.variants.size());
        QCOMPARE(chart.svg.count(QStringLiteral("<polyline fill='none' stroke='%1' stroke-width='2' "
                                                "stroke-linejoin='round' stroke-dasharray='2,3'")
                                     .arg(ReportStyle::hex(ReportStyle::variantColor(1)))),
                 1); // one dotted line (the size) per variant, in its colour
        QVERIFY(chart.svg.contains(QStringLiteral(">A waiting<")));
        QVERIFY(chart.svg.contains(QStringLiteral(">B pool size<")));
        QVERIFY(chart.caption.contains(QStringLiteral("“DB pool wait”")));
        const QString peaks = doc.blocks[size_t(at + 1)].text;
        QVERIFY2(peaks.contains(QStringLiteral("Peak requests waiting for a database connection 30")),
                 qPrintable(peaks));
        QVERIFY(peaks.contains(QStringLiteral("Longest wait for a database connection (s) 0.250")));
        // The y axis reaches the largest line: 30 waiting.
        QVERIFY(chart.svg.contains(QStringLiteral(">30<")) || chart.svg.contains(QStringLiteral(">40<")));
        ReportOptions zh;
        zh.language = ReportStyle::Language::Chinese;
        const QString text = ReportDocument::build(run, zh).visibleText().join(QLatin1Char('\n'));
        QVERIFY(text.contains(QStringLiteral("数据库连接池")));
        QVERIFY(text.contains(QStringLiteral("等待数据库连接的请求峰值")));
        QVERIFY(!text.contains(QStringLiteral("db_")));
    }

    void ticksAreOneTwoFive_data()
    {
        QTest::addColumn<double>("max");
        QTest::addColumn<double>("step");
        QTest::addRow("2.69 s") << 2.69 << 0.5;
        QTest::addRow("0.538 s") << 0.538 << 0.1;
        QTest::addRow("1.61") << 1.61 << 0.2; // 8 intervals: 0.2
        QTest::addRow("10750 ms") << 10750.0 << 2000.0;
        QTest::addRow("100 percent") << 100.0 << 20.0;
    }
    void ticksAreOneTwoFive()
    {
        QFETCH(double, max);
        QFETCH(double, step);
        const QList<double> t = AxisTicks::fromZero(max, max == 1.61 ? 8 : 5);
        QCOMPARE(t.front(), 0.0);
        QVERIFY(t.back() >= max);
        QVERIFY(t.back() - step < max);
        QVERIFY(qFuzzyCompare(t[1] - t[0], step));
        QCOMPARE(SvgPlot::tickLabel(step * 3, step), QString::number(step * 3, 'f', step < 1 ? 1 : 0));
    }

    // Many variants: the legend wraps and the plot moves down rather than labels overlapping.
    void legendsWrap()
    {
        SvgPlot::Chart c;
        c.xMax = 10;
        c.yMax = 10;
        for (int i = 0; i < 8; ++i)
            c.series << SvgPlot::Series { QStringLiteral("variant %1 with a long label").arg(i),
                                          0x336699,
                                          false,
                                          false,
                                          { { 0, 0 }, { 10, 10 } } };
        int height = 0;
        const QString svg = SvgPlot::lineChart(c, &height);
        const int lines = SvgPlot::legendLines({ { c.series[0].name, 0 } }, 70, 884);
        QCOMPARE(lines, 1);
        QVERIFY(height > c.height);
        QVERIFY(svg.contains(QStringLiteral("height='%1'").arg(height)));
        QCOMPARE(svg.count(QStringLiteral("<polyline")), 8);
    }

    void requestTablesAreCappedAndSaySo()
    {
        ReportOptions o;
        o.requestRows = 2;
        const ReportDocument doc = ReportDocument::build(m_run, o);
        int notes = 0;
        for (int i = 0; i < doc.blocks.size(); ++i) {
            const ReportBlock &b = doc.blocks[i];
            if (b.kind == ReportBlock::Kind::Table && b.header.contains(QStringLiteral("Latency (ms)"))) {
                QCOMPARE(b.rows.size(), 2);
                QVERIFY(i + 1 < doc.blocks.size());
                QCOMPARE(doc.blocks[i + 1].kind, ReportBlock::Kind::Note);
                QVERIFY(doc.blocks[i + 1].text.contains(QStringLiteral("The first 2 of 5 requests")));
                QVERIFY(doc.blocks[i + 1].text.contains(QStringLiteral("requests.csv")));
                ++notes;
            }
        }
        QCOMPARE(notes, 2);
    }

    // Files from elsewhere: a truncated, corrupted or hostile run.json gives a clear message and
    // no crash (tests/fuzz/fuzz_runjson.cpp explores the rest).
    void hostileRunJson_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("messagePart");
        const QByteArray good = RunExport::runJson(m_run);
        QJsonObject o = QJsonDocument::fromJson(good).object();
        const auto edited
            = [&o](const char *list, const char *key, double value, const char *inner = nullptr) {
                  QJsonObject copy = o;
                  QJsonArray variants = copy.value(QStringLiteral("variants")).toArray();
                  QJsonObject v = variants[0].toObject();
                  QJsonArray records = v.value(QLatin1String(list)).toArray();
                  QJsonObject r = records[0].toObject();
                  if (inner) {
                      QJsonArray spans = r.value(QLatin1String(inner)).toArray();
                      QJsonObject s0 = spans[0].toObject();
                      s0.insert(QLatin1String(key), value);
                      spans[0] = s0;
                      r.insert(QLatin1String(inner), spans);
                  } else {
                      r.insert(QLatin1String(key), value);
                  }
                  records[0] = r;
                  v.insert(QLatin1String(list), records);
                  variants[0] = v;
                  copy.insert(QStringLiteral("variants"), variants);
                  return QJsonDocument(copy).toJson(QJsonDocument::Compact);
              };
        QTest::addRow("empty file") << QByteArray() << QStringLiteral("not valid JSON");
        QTest::addRow("cut in half") << good.left(good.size() / 2) << QStringLiteral("cut short");
        QTest::addRow("binary garbage")
            << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << QStringLiteral("not valid JSON");
        QTest::addRow("an array") << QByteArray("[1, 2, 3]") << QStringLiteral("not a LoopScope run.json");
        QTest::addRow("another program's JSON")
            << QByteArray(R"({"name":"x","version":2})") << QStringLiteral("not a LoopScope run.json");
        // Would overflow when re-based, and ask the throughput series for ~9e9 buckets.
        QTest::addRow("completion at 9e18 ns")
            << edited("client_records", "complete_ns", 9e18) << QStringLiteral("complete_ns");
        QTest::addRow("arrival at -9e18 ns")
            << edited("server_records", "arrived_ns", -9e18) << QStringLiteral("arrived_ns");
        QTest::addRow("span end at 1e300 ns")
            << edited("server_records", "end_ns", 1e300, "spans") << QStringLiteral("end_ns");
        QTest::addRow("counter at 9e18 ns") << edited("counters", "t_ns", 9e18) << QStringLiteral("t_ns");
    }

    void hostileRunJson()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, messagePart);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("run.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        RunResult run;
        QString error;
        QVERIFY(!RunExport::readRunJson(path, &run, &error));
        QVERIFY2(error.contains(messagePart), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestReport)
#include "tst_report.moc"
