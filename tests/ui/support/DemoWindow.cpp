#include "DemoWindow.h"

#include "ui/EngineController.h"
#include "ui/SessionDocument.h"

#include <QDir>
#include <QFile>
#include <QTest>

namespace lathe::ui::test {

QTemporaryDir* DemoWindowTest::root_ = nullptr;

void DemoWindowTest::SetUpTestSuite() {
    root_ = new QTemporaryDir;
    ASSERT_TRUE(root_->isValid());
}

void DemoWindowTest::TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
}

void DemoWindowTest::SetUp() {
    SessionDocument::discardRecovery();
    window_ = std::make_unique<MainWindow>();
    window_->setInteractive(false);
    window_->show();
}

void DemoWindowTest::TearDown() {
    window_.reset();
    SessionDocument::discardRecovery();
}

QString DemoWindowTest::root() {
    return root_->path();
}

QString DemoWindowTest::demoFolder(const QString& name, double seconds) {
    const QString folder = QDir(root_->path()).filePath(name);
    if (!QFileInfo::exists(folder)) {
        core::DemoOptions options;
        options.seconds = seconds;
        options.songName = name.toStdString();
        core::writeDemoFolder(folder.toStdString(), options);
    }
    return folder;
}

QString DemoWindowTest::eightStemFolder() {
    const QString folder = demoFolder(QStringLiteral("Eight Stems"));
    const QDir dir(folder);
    if (!QFileInfo::exists(dir.filePath(QStringLiteral("07_Percussion.wav")))) {
        EXPECT_TRUE(QFile::copy(dir.filePath(QStringLiteral("01_Drums.wav")),
                                dir.filePath(QStringLiteral("07_Percussion.wav"))));
        EXPECT_TRUE(QFile::copy(dir.filePath(QStringLiteral("03_Music.wav")),
                                dir.filePath(QStringLiteral("08_Keys.wav"))));
    }
    return folder;
}

void DemoWindowTest::open(const QString& path, bool engine) {
    window_->openPath(path);
    ASSERT_TRUE(QTest::qWaitFor([&] { return window_->document()->isOpen() && !window_->isOpening(); },
                                kOpenTimeoutMs))
        << window_->lastError().toStdString();
    // Loaded is playable; the tests read the compare figures, which come once the engine has measured (the
    // codec preview's once it is made, in the background).
    if (engine)
        ASSERT_TRUE(QTest::qWaitFor([&] { return window_->engineController()->isCodecPreviewSettled(); },
                                    kLoadTimeoutMs))
            << window_->lastError().toStdString();
}

} // namespace lathe::ui::test
