// go-orders publishes order.created events to the mesh: CloudEvents binary content mode on Kafka
// (the data as the JSON value, the attributes as ce_* headers), keyed "<tenantId>/<orderId>" so
// one order's events stay in order, with the entity version the gateway's version guard needs.
//
//	go run . -brokers 127.0.0.1:19092 -tenant acme -id ord-1 -customer "Ada" -item "Lathe" -total 4200 -version 1
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

// Order is the data of an order.created event, as the mesh declares it (mesh entity file).
type Order struct {
	ID         string `json:"id"`
	TenantID   string `json:"tenantId"`
	Customer   string `json:"customer"`
	Item       string `json:"item"`
	Status     string `json:"status"`
	TotalCents int64  `json:"totalCents"`
}

func uuid() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		log.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// message is one order.created event in the mesh's Kafka wire format.
func message(order Order, version int64, data []byte) kafka.Message {
	header := func(key, value string) kafka.Header { return kafka.Header{Key: key, Value: []byte(value)} }
	return kafka.Message{
		Key:   []byte(order.TenantID + "/" + order.ID),
		Value: data,
		Headers: []kafka.Header{
			header("ce_specversion", "1.0"),
			header("ce_id", uuid()),
			header("ce_source", "urn:go-orders"),
			header("ce_type", "order.created"),
			header("ce_time", time.Now().UTC().Format("2006-01-02T15:04:05.000Z")),
			header("ce_tenantid", order.TenantID),
			header("ce_entityversion", strconv.FormatInt(version, 10)),
			header("content-type", "application/json"),
		},
	}
}

func main() {
	brokers := flag.String("brokers", "127.0.0.1:19092", "Kafka brokers, comma-separated")
	prefix := flag.String("topic-prefix", "", "prepended to the topic (the mesh's TOPIC_PREFIX)")
	var order Order
	flag.StringVar(&order.TenantID, "tenant", "", "tenant id")
	flag.StringVar(&order.ID, "id", "", "order id")
	flag.StringVar(&order.Customer, "customer", "", "customer name")
	flag.StringVar(&order.Item, "item", "", "what was ordered")
	flag.StringVar(&order.Status, "status", "placed", "order status")
	flag.Int64Var(&order.TotalCents, "total", 0, "total, in cents")
	version := flag.Int64("version", 1, "entity version: 1 for a new order, +1 per change")
	flag.Parse()

	data, err := json.Marshal(order)
	if err != nil {
		log.Fatal(err)
	}
	writer := &kafka.Writer{
		Addr:         kafka.TCP(strings.Split(*brokers, ",")...),
		Topic:        *prefix + "order.events",
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
	}
	defer writer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := writer.WriteMessages(ctx, message(order, *version, data)); err != nil {
		log.Fatalf("publish order.created: %v", err)
	}
	fmt.Printf("published order.created %s/%s v%d\n", order.TenantID, order.ID, *version)
}
