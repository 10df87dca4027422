#pragma once
// The main window. Until the interactive views land it shows the loaded dataset's metadata (the
// built-in demo by default) and where its planted neurons sit.
#include <QMainWindow>
#include <memory>

namespace salient {
struct DemoDataset;
}

namespace salient::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// Shows @p demo (ownership shared with the caller). GUI thread only.
    explicit MainWindow(std::shared_ptr<const DemoDataset> demo, QWidget *parent = nullptr);
    ~MainWindow() override;

private:
    void showAbout();
    std::shared_ptr<const DemoDataset> m_demo;
};

} // namespace salient::ui
