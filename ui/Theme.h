#pragma once

#include <QColor>

class QApplication;

namespace lathe::ui {

// The dark studio theme: Fusion style with a low-glare palette (dark grey, not black, so meters and curves
// stand out without eye strain in a dim room) and a few accent colours with fixed meanings.
namespace theme {

QColor background(); // window
QColor panel();      // strips and group boxes
QColor text();
QColor dimText();
QColor accent();  // selection, active compare source, play
QColor mute();    // mute button lit
QColor solo();    // solo button lit
QColor warning(); // problems, clipping

// Sets the style, palette and style sheet on the application. Sizes are in logical pixels, so the theme is
// the same on 1x and 2x screens (Qt 6 scales them).
void apply(QApplication& app);

} // namespace theme
} // namespace lathe::ui
