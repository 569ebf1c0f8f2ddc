#pragma once

#include <QObject>

class QAbstractSlider;
class QDoubleSpinBox;

namespace lathe::ui {

// The habits a mastering engineer brings from every DAW, on a slider or spin box: double-click puts it back
// to its default (the "defaultValue" property, in the control's own units), Shift- or Alt-drag on a slider
// moves it a tenth as fast for fine work. The mouse wheel steps every control already (Qt's own). One event
// filter, shared by every control it is installed on.
class ControlGestures : public QObject {
    Q_OBJECT
public:
    static constexpr double kFineFactor = 0.1;

    // Installs the gestures with `defaultValue` on the control (the document binding then takes the change
    // as any other edit, so it is one undo step).
    static void install(QAbstractSlider* slider, int defaultValue);
    static void install(QDoubleSpinBox* box, double defaultValue);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    using QObject::QObject;
    static ControlGestures* instance();
    int dragOrigin_ = 0;
    double dragValue_ = 0;
    bool fine_ = false;
};

} // namespace lathe::ui
