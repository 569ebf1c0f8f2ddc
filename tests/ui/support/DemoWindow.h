#pragma once

#include "core/demo/DemoFolder.h"
#include "ui/MainWindow.h"

#include <gtest/gtest.h>

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace lathe::ui::test {

// A main window (not interactive: no dialog blocks) and synthesized demo songs beside each other, for the
// widget tests of the whole window: one per test, the songs once per suite.
class DemoWindowTest : public ::testing::Test {
protected:
    static constexpr int kOpenTimeoutMs = 30000;
    static constexpr int kLoadTimeoutMs = 120000;
    static constexpr int kRenderTimeoutMs = 240000;

    static void SetUpTestSuite();
    static void TearDownTestSuite();
    void SetUp() override;
    void TearDown() override;

    // A demo song of `seconds` in "<root>/<name>" (made once per suite and name).
    static QString demoFolder(const QString& name, double seconds = 6.0);
    // The demo with two more stems (copies of two of its stems under other names): 8 stems.
    static QString eightStemFolder();
    static QString root();

    // Opens a folder or session as a user would and waits for it (and, with engine, for the audio load).
    void open(const QString& path, bool engine = true);

    std::unique_ptr<MainWindow> window_;

private:
    static QTemporaryDir* root_;
};

} // namespace lathe::ui::test
