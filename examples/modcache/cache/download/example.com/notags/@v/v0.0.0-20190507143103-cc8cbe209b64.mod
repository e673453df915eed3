module example.com/notags
