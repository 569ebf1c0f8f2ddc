#pragma once

#include <QList>
#include <QPair>
#include <QRect>
#include <QString>
#include <QWidget>

namespace lathe::ui {

// A translucent sheet over the main window listing every keyboard shortcut (F1 or ?). Any key or click closes
// it. It follows its parent's size.
class ShortcutsOverlay : public QWidget {
    Q_OBJECT
public:
    explicit ShortcutsOverlay(QWidget* parent);

    // (keys, what they do), in display order.
    void setShortcuts(const QList<QPair<QString, QString>>& shortcuts);
    const QList<QPair<QString, QString>>& shortcuts() const { return shortcuts_; }
    void toggle();
    // Where the sheet of shortcuts is drawn: always inside the overlay (so inside the window).
    QRect sheetRect() const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Layout {
        QRect box;
        int columns = 1, perColumn = 1, lineHeight = 0, keyWidth = 0, columnWidth = 0;
        double scale = 1.0;
    };
    Layout layoutFor(const QSize& area) const;

    QList<QPair<QString, QString>> shortcuts_;
};

} // namespace lathe::ui
