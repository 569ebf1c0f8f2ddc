#pragma once

#include <QMainWindow>

namespace lathe::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

} // namespace lathe::ui
