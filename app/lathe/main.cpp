#include "core/Version.h"
#include "ui/BatchQueueWindow.h"
#include "ui/EngineController.h"
#include "ui/MainWindow.h"
#include "ui/MasterSection.h"
#include "ui/MatchPanel.h"
#include "ui/RenderDialog.h"
#include "ui/SessionDocument.h"
#include "ui/Theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QPixmap>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <sys/resource.h>

namespace {

// Waits (event loop running) until the window has the session, the engine load and the overview, then saves
// PNGs of the window and, if asked, of the render dialog, and quits. For packaging/screenshot.sh.
// The batch picture shows a finished batch: every song folder beside the opened one, rendered into a
// throw-away folder, so the rows, the per-song loudness and the summary are all filled in.
void shootBatch(lathe::ui::MainWindow* window, const QString& batchPng, int status) {
    auto* out = new QTemporaryDir;
    lathe::ui::BatchQueueWindow* batch = window->showBatchWindow();
    batch->resize(1100, 720);
    batch->addFoldersInside(
        QFileInfo(QString::fromStdString(window->document()->session().folder)).absolutePath());
    batch->setOutputFolder(QDir(out->path()).filePath(QStringLiteral("Batch masters")));
    batch->setMp3(false);
    QObject::connect(batch, &lathe::ui::BatchQueueWindow::batchFinished, window, [=](bool ok) {
        QTimer::singleShot(300, window, [=] {
            int result = ok ? status : 1;
            if (!batch->grab().save(batchPng)) result = 1;
            delete out;
            QApplication::exit(result);
        });
    });
    batch->start();
}

void scheduleScreenshots(lathe::ui::MainWindow* window, const QString& windowPng, const QString& dialogPng,
                         const QString& batchPng) {
    auto* clock = new QElapsedTimer;
    clock->start();
    auto* timer = new QTimer(window);
    timer->setInterval(200);
    QObject::connect(timer, &QTimer::timeout, window, [=] {
        const bool timedOut = clock->elapsed() > 120000;
        // The picture shows the match curve too (computed in the background after the load).
        const bool settled = window->isSettled() && !window->masterSection()->matchPanel()->computing();
        if (!settled && !timedOut && window->lastError().isEmpty()) return;
        timer->stop();
        // One more beat so the last repaints (overview, compare figures) land.
        QTimer::singleShot(500, window, [=] {
            int status = timedOut ? 1 : 0;
            if (!window->grab().save(windowPng)) {
                std::fprintf(stderr, "lathe: %s: cannot write the screenshot\n", qPrintable(windowPng));
                status = 1;
            }
            if (!dialogPng.isEmpty()) {
                if (auto* dialog = window->showRenderDialog()) {
                    dialog->adjustSize();
                    QApplication::processEvents();
                    if (!dialog->grab().save(dialogPng)) status = 1;
                } else {
                    status = 1;
                }
            }
            delete clock;
            if (!batchPng.isEmpty() && window->document()->isOpen()) {
                shootBatch(window, batchPng, status);
                return;
            }
            QApplication::exit(batchPng.isEmpty() ? status : 1);
        });
    });
    timer->start();
}

// --timing: prints how long the opened folder took to become playable (the engine can start: the first source
// is audible) and measured (every source's loudness known, so loudness matching is ready, and the overview
// drawn), in ms since the program started, then, with a mix, when the codec preview (made in the background
// from the stereo master: the codec source's own, which measured does not wait for) was ready, and the
// process's peak resident memory, then quits. For tests/bench/vs-peers.sh.
void scheduleTiming(lathe::ui::MainWindow* window, const QElapsedTimer* sinceStart) {
    auto* timer = new QTimer(window);
    timer->setInterval(5);
    auto playableMs = std::make_shared<qint64>(-1);
    auto measuredMs = std::make_shared<qint64>(-1);
    auto codecMs = std::make_shared<qint64>(-1);
    QObject::connect(timer, &QTimer::timeout, window, [=] {
        const qint64 now = sinceStart->elapsed();
        if (!window->lastError().isEmpty() || now > 600000) {
            std::fprintf(stderr, "lathe: --timing: %s\n",
                         window->lastError().isEmpty() ? "not loaded after 10 minutes"
                                                       : qPrintable(window->lastError()));
            timer->stop();
            QApplication::exit(1);
            return;
        }
        lathe::ui::EngineController* engine = window->engineController();
        if (*playableMs < 0 && engine->isLoaded()) *playableMs = now;
        if (*playableMs < 0) return;
        const lathe::core::AudioEngine::CodecPreviewState codec = engine->codecPreviewState();
        if (*codecMs < 0 && codec.ready) *codecMs = now;
        if (*measuredMs < 0 && window->isSettled()) *measuredMs = now;
        // Settled, the stereo master has been handed to the codec builder: nothing building is the end.
        if (*measuredMs < 0 || codec.building) return;
        timer->stop();
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage); // ru_maxrss: peak resident set, in KiB on Linux
        std::printf("playable_ms %lld\nmeasured_ms %lld\n", static_cast<long long>(*playableMs),
                    static_cast<long long>(*measuredMs));
        if (*codecMs >= 0) std::printf("codec_preview_ms %lld\n", static_cast<long long>(*codecMs));
        std::printf("peak_rss_mb %ld\n", usage.ru_maxrss / 1024);
        std::fflush(stdout);
        QApplication::exit(0);
    });
    timer->start();
}

// The options, declared once for the headless parse (--help, --version) and the GUI's.
struct Options {
    QCommandLineOption screenshot{
        QStringLiteral("screenshot"),
        QStringLiteral("Open, wait until loaded, save a PNG of the window to PATH, quit"),
        QStringLiteral("PATH")};
    QCommandLineOption renderShot{
        QStringLiteral("render-screenshot"),
        QStringLiteral("With --screenshot: also save a PNG of the render dialog to PATH"),
        QStringLiteral("PATH")};
    QCommandLineOption batchShot{
        QStringLiteral("batch-screenshot"),
        QStringLiteral(
            "With --screenshot: also render every folder beside FOLDER in the batch queue and save "
            "a PNG of it to PATH"),
        QStringLiteral("PATH")};
    QCommandLineOption size{QStringLiteral("size"),
                            QStringLiteral("With --screenshot: the window's size (default 1920x1080)"),
                            QStringLiteral("WIDTHxHEIGHT")};
    QCommandLineOption noAudio{QStringLiteral("no-audio"), QStringLiteral("Do not open an audio device")};
    QCommandLineOption timing{
        QStringLiteral("timing"),
        QStringLiteral(
            "Open FOLDER, print playable_ms, measured_ms, codec_preview_ms (with a mix; since start) "
            "and peak_rss_mb, quit (runs without a display)")};

    void addTo(QCommandLineParser& parser) const {
        parser.setApplicationDescription(QStringLiteral("Lathe mastering workstation"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument(QStringLiteral("folder"),
                                     QStringLiteral("Client folder or .lathe session to open"));
        for (const QCommandLineOption* o : {&screenshot, &renderShot, &batchShot, &size, &noAudio, &timing})
            parser.addOption(*o);
    }
};

// --help and --version print and quit without a display: a QApplication would abort on a headless machine
// (an ssh session, a build server checking the package) before the parser ran.
bool wantsTextOnly(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--") return false;
        if (a == "-h" || a == "--help" || a == "--help-all" || a == "-?" || a == "-v" || a == "--version")
            return true;
    }
    return false;
}

// --timing measures, it shows nothing: without a display it runs on Qt's offscreen platform rather than
// abort.
void headlessTiming(int argc, char** argv) {
    bool timing = false;
    for (int i = 1; i < argc; ++i)
        timing = timing || std::string_view(argv[i]) == "--timing";
    const auto unset = [](const char* name) {
        const char* v = std::getenv(name);
        return v == nullptr || *v == '\0';
    };
    if (timing && unset("QT_QPA_PLATFORM") && unset("DISPLAY") && unset("WAYLAND_DISPLAY"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
}

void describeApplication() {
    QCoreApplication::setApplicationName(QStringLiteral("Lathe"));
    QCoreApplication::setOrganizationName(QStringLiteral("Lathe"));
    QCoreApplication::setApplicationVersion(QString::fromUtf8(lathe::core::version()));
}

} // namespace

int main(int argc, char** argv) {
    QElapsedTimer sinceStart;
    sinceStart.start();
    const Options options;
    if (wantsTextOnly(argc, argv)) {
        QCoreApplication app(argc, argv);
        describeApplication();
        QCommandLineParser parser;
        options.addTo(parser);
        parser.process(app); // prints the help or the version and exits
        return 0;
    }
    headlessTiming(argc, argv);
    QApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    describeApplication();
    lathe::ui::theme::apply(app);

    QCommandLineParser parser;
    options.addTo(parser);
    parser.process(app);

    QSize size(1920, 1080); // a common studio screen: the picture shows what most users see
    if (parser.isSet(options.size)) {
        const QStringList wh = parser.value(options.size).split(QLatin1Char('x'));
        const int w = wh.size() == 2 ? wh[0].toInt() : 0, h = wh.size() == 2 ? wh[1].toInt() : 0;
        if (w < 320 || h < 240) {
            std::fprintf(stderr, "lathe: --size %s: expected WIDTHxHEIGHT, at least 320x240\n",
                         qPrintable(parser.value(options.size)));
            return 2;
        }
        size = QSize(w, h);
    }

    lathe::ui::MainWindow window;
    const bool shooting = parser.isSet(options.screenshot);
    const bool timed = parser.isSet(options.timing);
    if (shooting || timed) window.setInteractive(false);
    if (shooting) window.resize(size);
    window.show();
    if (!parser.isSet(options.noAudio)) window.openAudioFromSettings();

    const QStringList args = parser.positionalArguments();
    const QString path = args.isEmpty() ? QString() : args.front();
    if (timed) {
        if (path.isEmpty()) {
            std::fprintf(stderr, "lathe: --timing needs a FOLDER\n");
            return 2;
        }
        window.openPath(path);
        scheduleTiming(&window, &sinceStart);
    } else if (shooting) {
        if (!path.isEmpty()) window.openPath(path);
        scheduleScreenshots(&window, parser.value(options.screenshot), parser.value(options.renderShot),
                            parser.value(options.batchShot));
    } else {
        // Once the event loop runs, so the recovery question appears over the window.
        QTimer::singleShot(0, &window, [&window, path] { window.startUp(path); });
    }
    return app.exec();
}
