#include "MainWindow.h"

#include "core/Version.h"

#include <QLabel>

namespace lathe::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(QStringLiteral("Lathe %1").arg(QString::fromUtf8(core::version())));
    auto* label = new QLabel(tr("Open a client folder to begin."), this);
    label->setAlignment(Qt::AlignCenter);
    setCentralWidget(label);
    resize(1280, 800);
}

} // namespace lathe::ui
