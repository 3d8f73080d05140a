"""Real-protocol fakes of chat servers, served on 127.0.0.1:0 inside the test process."""
