// IndexServer
