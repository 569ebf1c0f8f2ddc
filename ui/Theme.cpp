#include "Theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace lathe::ui::theme {

QColor background() {
    return QColor(0x20, 0x22, 0x25);
}
QColor panel() {
    return QColor(0x2a, 0x2d, 0x31);
}
QColor text() {
    return QColor(0xe2, 0xe4, 0xe8);
}
QColor dimText() {
    return QColor(0x8f, 0x95, 0x9e);
}
QColor accent() {
    return QColor(0x3d, 0xa5, 0xd9);
}
QColor mute() {
    return QColor(0xe0, 0x8a, 0x2c);
}
QColor solo() {
    return QColor(0xe6, 0xc8, 0x3a);
}
QColor warning() {
    return QColor(0xe5, 0x4d, 0x42);
}

void apply(QApplication& app) {
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));

    QPalette p;
    p.setColor(QPalette::Window, background());
    p.setColor(QPalette::WindowText, text());
    p.setColor(QPalette::Base, QColor(0x18, 0x1a, 0x1c));
    p.setColor(QPalette::AlternateBase, panel());
    p.setColor(QPalette::ToolTipBase, panel());
    p.setColor(QPalette::ToolTipText, text());
    p.setColor(QPalette::Text, text());
    p.setColor(QPalette::Button, QColor(0x34, 0x38, 0x3d));
    p.setColor(QPalette::ButtonText, text());
    p.setColor(QPalette::BrightText, warning());
    p.setColor(QPalette::Highlight, accent());
    p.setColor(QPalette::HighlightedText, QColor(0x10, 0x10, 0x10));
    p.setColor(QPalette::Link, accent());
    p.setColor(QPalette::PlaceholderText, dimText());
    p.setColor(QPalette::Disabled, QPalette::Text, dimText().darker(130));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, dimText().darker(130));
    p.setColor(QPalette::Disabled, QPalette::WindowText, dimText().darker(130));
    app.setPalette(p);

    // Object names used here are set by the panels: the style sheet gives lit buttons their fixed meaning.
    app.setStyleSheet(QStringLiteral(R"(
        QGroupBox { border: 1px solid #3a3e44; border-radius: 4px; margin-top: 14px; padding-top: 4px; }
        QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; color: #8f959e; }
        QToolButton#muteButton:checked { background: #e08a2c; color: #101010; }
        QToolButton#soloButton:checked { background: #e6c83a; color: #101010; }
        QToolButton#compareButton { padding: 4px 8px; font-weight: bold; }
        QToolButton#compareButton:checked { background: #3da5d9; color: #101010; }
        QToolButton#playButton:checked { background: #3fae5a; color: #101010; }
        QLabel#problemText { color: #e54d42; }
        QLabel#dimLabel { color: #8f959e; }
        QLabel#positionLabel { font-family: monospace; font-size: 15px; }
        QFrame#stemStrip { background: #2a2d31; border: 1px solid #3a3e44; border-radius: 4px; }
        QStatusBar QLabel { color: #8f959e; }
    )"));
}

} // namespace lathe::ui::theme
