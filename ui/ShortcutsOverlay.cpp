#include "ShortcutsOverlay.h"

#include "Theme.h"

#include <QEvent>
#include <QKeyEvent>
#include <QPainter>

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

void ShortcutsOverlay::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), QColor(0, 0, 0, 170));
    QFont keyFont = font();
    keyFont.setBold(true);
    keyFont.setPointSizeF(font().pointSizeF() * 1.15);
    QFont textFont = font();
    textFont.setPointSizeF(font().pointSizeF() * 1.15);
    const QFontMetrics fm(keyFont);
    const int lineHeight = fm.height() + 10;
    const int boxWidth = std::min(width() - 40, 560);
    const int boxHeight = lineHeight * (static_cast<int>(shortcuts_.size()) + 2) + 20;
    const QRect box((width() - boxWidth) / 2, std::max(20, (height() - boxHeight) / 2), boxWidth, boxHeight);
    p.setPen(QColor(0x3a, 0x3e, 0x44));
    p.setBrush(theme::panel());
    p.drawRoundedRect(box, 8, 8);
    p.setFont(keyFont);
    p.setPen(theme::text());
    p.drawText(box.adjusted(20, 14, -20, 0), Qt::AlignTop | Qt::AlignHCenter, tr("Keyboard shortcuts"));
    int y = box.top() + 14 + lineHeight + 6;
    for (const auto& [keys, what] : shortcuts_) {
        p.setFont(keyFont);
        p.setPen(theme::accent());
        p.drawText(QRect(box.left() + 24, y, 170, lineHeight), Qt::AlignVCenter | Qt::AlignLeft, keys);
        p.setFont(textFont);
        p.setPen(theme::text());
        p.drawText(QRect(box.left() + 200, y, box.width() - 220, lineHeight),
                   Qt::AlignVCenter | Qt::AlignLeft, what);
        y += lineHeight;
    }
    p.setFont(textFont);
    p.setPen(theme::dimText());
    p.drawText(QRect(box.left(), box.bottom() - lineHeight - 6, box.width(), lineHeight), Qt::AlignCenter,
               tr("Press any key or click to close"));
}

void ShortcutsOverlay::mousePressEvent(QMouseEvent*) {
    hide();
}

void ShortcutsOverlay::keyPressEvent(QKeyEvent*) {
    hide();
}

} // namespace lathe::ui
