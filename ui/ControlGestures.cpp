#include "ControlGestures.h"

#include <QAbstractSlider>
#include <QApplication>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QMouseEvent>
#include <QStyle>
#include <QStyleOptionSlider>

#include <cmath>

namespace lathe::ui {

namespace {
const char* kDefault = "defaultValue";

// Slider units per pixel of travel along the groove, as Qt maps a drag.
double unitsPerPixel(const QAbstractSlider* slider) {
    const int span = slider->orientation() == Qt::Horizontal ? slider->width() : slider->height();
    return static_cast<double>(slider->maximum() - slider->minimum()) / std::max(1, span - 20);
}
} // namespace

ControlGestures* ControlGestures::instance() {
    static ControlGestures* gestures = new ControlGestures(QCoreApplication::instance());
    return gestures;
}

void ControlGestures::install(QAbstractSlider* slider, int defaultValue) {
    slider->setProperty(kDefault, defaultValue);
    slider->installEventFilter(instance());
}

void ControlGestures::install(QDoubleSpinBox* box, double defaultValue) {
    box->setProperty(kDefault, defaultValue);
    // The spin box's line edit receives the clicks.
    if (QLineEdit* edit = box->findChild<QLineEdit*>()) edit->installEventFilter(instance());
    box->installEventFilter(instance());
}

bool ControlGestures::eventFilter(QObject* watched, QEvent* event) {
    QObject* control = watched;
    if (qobject_cast<QLineEdit*>(watched) && watched->parent()) control = watched->parent();
    const QVariant value = control->property(kDefault);
    if (!value.isValid()) return false;
    auto* slider = qobject_cast<QAbstractSlider*>(control);
    auto* box = qobject_cast<QDoubleSpinBox*>(control);
    switch (event->type()) {
    case QEvent::MouseButtonDblClick:
        if (slider) slider->setValue(value.toInt());
        if (box) {
            box->setValue(value.toDouble());
            emit box->editingFinished(); // bindings take a spin box's value when editing finishes
        }
        return true;
    case QEvent::MouseButtonPress: {
        auto* mouse = static_cast<QMouseEvent*>(event);
        fine_ = slider && mouse->button() == Qt::LeftButton &&
                (mouse->modifiers() & (Qt::ShiftModifier | Qt::AltModifier));
        if (fine_) {
            const QPointF p = mouse->position();
            dragOrigin_ = slider->orientation() == Qt::Horizontal ? qRound(p.x()) : qRound(p.y());
            dragValue_ = slider->value();
            slider->setSliderDown(true);
            return true; // no jump to the click: a fine drag starts where the slider is
        }
        return false;
    }
    case QEvent::MouseMove:
        if (fine_ && slider) {
            const QPointF p = static_cast<QMouseEvent*>(event)->position();
            const int at = slider->orientation() == Qt::Horizontal ? qRound(p.x()) : qRound(p.y());
            // Up and right are larger values; a vertical slider's y grows downwards.
            const int travel = slider->orientation() == Qt::Horizontal ? at - dragOrigin_ : dragOrigin_ - at;
            slider->setValue(qRound(dragValue_ + travel * unitsPerPixel(slider) * kFineFactor));
            return true;
        }
        return false;
    case QEvent::MouseButtonRelease:
        if (fine_ && slider) {
            fine_ = false;
            slider->setSliderDown(false);
            return true;
        }
        return false;
    default:
        return false;
    }
}

} // namespace lathe::ui
