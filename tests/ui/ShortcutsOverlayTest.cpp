// The keyboard-shortcut overlay in the real main window: F1 and ? open it, it lists every key the window's
// actions answer to, and any key closes it.
#include "ui/ShortcutsOverlay.h"
#include "support/PrivateHomeTestMain.h"

#include "ui/MainWindow.h"
#include "ui/SessionDocument.h"

#include <gtest/gtest.h>

#include <QAction>
#include <QRegularExpression>
#include <QTest>

#include <set>

using lathe::ui::MainWindow;

namespace {

// The keys an overlay row names: "Ctrl+Z / Ctrl+Shift+Z" is two, "F1 or ?" two, "1 … 5" five.
std::set<QString> keysListed(const lathe::ui::ShortcutsOverlay& overlay) {
    std::set<QString> keys;
    for (const auto& [text, what] : overlay.shortcuts()) {
        const QRegularExpressionMatch range =
            QRegularExpression(QStringLiteral("^(\\d) … (\\d)$")).match(text);
        if (range.hasMatch()) {
            for (int k = range.captured(1).toInt(); k <= range.captured(2).toInt(); ++k)
                keys.insert(QString::number(k));
            continue;
        }
        for (const QString& key : text.split(QRegularExpression(QStringLiteral("\\s+(/|or)\\s+"))))
            keys.insert(key.trimmed());
    }
    return keys;
}

class ShortcutsOverlayTest : public ::testing::Test {
protected:
    void SetUp() override {
        window_ = std::make_unique<MainWindow>();
        window_->setInteractive(false);
        window_->show();
        window_->activateWindow();
        ASSERT_TRUE(QTest::qWaitForWindowActive(window_.get()));
    }
    std::unique_ptr<MainWindow> window_;
};

} // namespace

TEST_F(ShortcutsOverlayTest, F1OpensItOverTheWholeWindowAndAnyKeyClosesIt) {
    lathe::ui::ShortcutsOverlay* overlay = window_->shortcutsOverlay();
    ASSERT_FALSE(overlay->isVisible());
    QTest::keyClick(window_.get(), Qt::Key_F1);
    ASSERT_TRUE(overlay->isVisible());
    EXPECT_EQ(overlay->geometry(), window_->rect());
    EXPECT_FALSE(overlay->grab().isNull());
    QTest::keyClick(overlay, Qt::Key_A);
    EXPECT_FALSE(overlay->isVisible());

    QTest::keyClick(window_.get(), Qt::Key_Question);
    EXPECT_TRUE(overlay->isVisible());
    QTest::mouseClick(overlay, Qt::LeftButton);
    EXPECT_FALSE(overlay->isVisible());
}

TEST_F(ShortcutsOverlayTest, ItListsEveryKeyTheWindowAnswersTo) {
    const std::set<QString> listed = keysListed(*window_->shortcutsOverlay());
    int shortcuts = 0;
    for (QAction* action : window_->findChildren<QAction*>()) {
        for (const QKeySequence& key : action->shortcuts()) {
            if (key.isEmpty()) continue;
            ++shortcuts;
            const QString text = key.toString(QKeySequence::PortableText);
            EXPECT_TRUE(listed.count(text))
                << text.toStdString() << " (" << action->text().toStdString() << ") is not in the overlay";
        }
    }
    // Space, Home, L, 1-5, M, F1, ?, the Ctrl shortcuts: a window with none found would pass vacuously.
    EXPECT_GE(shortcuts, 20);
    EXPECT_TRUE(listed.count("Ctrl+B")); // the batch queue
}

int main(int argc, char** argv) {
    return lathe::ui::test::runWithPrivateHome(argc, argv, "ShortcutsOverlayTest");
}
