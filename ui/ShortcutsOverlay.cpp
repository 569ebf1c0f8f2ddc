#include "ShortcutsOverlay.h"

#include "Theme.h"

#include <QEvent>
#include <QKeyEvent>
#include <QPainter>

#include <algorithm>

namespace lathe::ui {

ShortcutsOverlay::ShortcutsOverlay(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    hide();
    parent->installEventFilter(this);
}

void ShortcutsOverlay::setShortcuts(const QList<QPair<QString, QString>>& shortcuts) {
    shortcuts_ = shortcuts;
    update();
}

void ShortcutsOverlay::toggle() {
    if (isVisible()) {
        hide();
        return;
    }
    setGeometry(parentWidget()->rect());
    raise();
    show();
    setFocus();
}

bool ShortcutsOverlay::eventFilter(QObject* watched, QEvent* event) {
    if (watched == parentWidget() && event->type() == QEvent::Resize) setGeometry(parentWidget()->rect());
    return QWidget::eventFilter(watched, event);
}

ShortcutsOverlay::Layout ShortcutsOverlay::layoutFor(const QSize& area) const {
    // The largest text that fits: one column if it can, else two, shrinking the font until the sheet fits
    // inside the window (800x600 included) so no shortcut is ever cut off.
    const int rows = static_cast<int>(shortcuts_.size());
    Layout best;
    for (double scale = 1.15; scale >= 0.6; scale -= 0.05) {
        QFont keyFont = font();
        keyFont.setBold(true);
        keyFont.setPointSizeF(font().pointSizeF() * scale);
        QFont textFont = font();
        textFont.setPointSizeF(font().pointSizeF() * scale);
        const QFontMetrics km(keyFont), tm(textFont);
        int keyWidth = 0, textWidth = 0;
        for (const auto& [keys, what] : shortcuts_) {
            keyWidth = std::max(keyWidth, km.horizontalAdvance(keys));
            textWidth = std::max(textWidth, tm.horizontalAdvance(what));
        }
        const int lineHeight = km.height() + 6;
        const int columnWidth = keyWidth + 16 + textWidth;
        for (int columns = 1; columns <= 2; ++columns) {
            const int perColumn = (rows + columns - 1) / columns;
            const QSize box(columns * columnWidth + (columns - 1) * 32 + 48,
                            lineHeight * (perColumn + 2) + 28);
            if (box.width() <= area.width() - 20 && box.height() <= area.height() - 20) {
                best.box = QRect((area.width() - box.width()) / 2, (area.height() - box.height()) / 2,
                                 box.width(), box.height());
                best.columns = columns;
                best.perColumn = perColumn;
                best.lineHeight = lineHeight;
                best.keyWidth = keyWidth;
                best.columnWidth = columnWidth;
                best.scale = scale;
                return best;
            }
        }
    }
    // Nothing fits (a tiny window): the smallest two-column sheet, from the top-left corner.
    best.scale = 0.6;
    best.columns = 2;
    best.perColumn = (rows + 1) / 2;
    best.lineHeight = QFontMetrics(font()).height();
    best.keyWidth = 120;
    best.columnWidth = 300;
    best.box = QRect(0, 0, area.width(), area.height());
    return best;
}

QRect ShortcutsOverlay::sheetRect() const {
    return layoutFor(size()).box;
}

void ShortcutsOverlay::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), QColor(0, 0, 0, 170));
    const Layout l = layoutFor(size());
    QFont keyFont = font();
    keyFont.setBold(true);
    keyFont.setPointSizeF(font().pointSizeF() * l.scale);
    QFont textFont = font();
    textFont.setPointSizeF(font().pointSizeF() * l.scale);
    const QRect box = l.box;
    p.setPen(QColor(0x3a, 0x3e, 0x44));
    p.setBrush(theme::panel());
    p.drawRoundedRect(box, 8, 8);
    p.setFont(keyFont);
    p.setPen(theme::text());
    p.drawText(box.adjusted(20, 12, -20, 0), Qt::AlignTop | Qt::AlignHCenter, tr("Keyboard shortcuts"));
    const int top = box.top() + 12 + l.lineHeight + 4;
    for (int i = 0; i < shortcuts_.size(); ++i) {
        const auto& [keys, what] = shortcuts_[i];
        const int column = i / l.perColumn;
        const int x = box.left() + 24 + column * (l.columnWidth + 32);
        const int y = top + (i % l.perColumn) * l.lineHeight;
        p.setFont(keyFont);
        p.setPen(theme::accent());
        p.drawText(QRect(x, y, l.keyWidth, l.lineHeight), Qt::AlignVCenter | Qt::AlignLeft, keys);
        p.setFont(textFont);
        p.setPen(theme::text());
        p.drawText(QRect(x + l.keyWidth + 16, y, l.columnWidth - l.keyWidth - 16, l.lineHeight),
                   Qt::AlignVCenter | Qt::AlignLeft, what);
    }
    p.setFont(textFont);
    p.setPen(theme::dimText());
    p.drawText(QRect(box.left(), box.bottom() - l.lineHeight - 4, box.width(), l.lineHeight), Qt::AlignCenter,
               tr("Press any key or click to close"));
}

void ShortcutsOverlay::mousePressEvent(QMouseEvent*) {
    hide();
}

void ShortcutsOverlay::keyPressEvent(QKeyEvent*) {
    hide();
}

} // namespace lathe::ui
