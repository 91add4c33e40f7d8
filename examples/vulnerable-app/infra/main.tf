resource "aws_s3_bucket" "orders_exports" {
  bucket = "orders-exports"
  acl    = "public-read"
}

resource "aws_security_group" "orders" {
  name = "orders"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "orders" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "orders"
  password            = "orders-db-password"
  publicly_accessible = true
  storage_encrypted   = false
}
