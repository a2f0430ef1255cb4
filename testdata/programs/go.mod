module gotracetestdata

go 1.21
